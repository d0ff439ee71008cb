package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.spec.RuntimeSpec.DeviceRule;
import dev.berth.runtime.spec.RuntimeSpec.Resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link V2Manager} against a {@link FakeKernel} cgroup2 tree, since this machine's cgroup2 mount
 * has no controllers.
 */
class V2ManagerTests {

	private static final long MIB = 1024 * 1024;

	@TempDir
	Path tree;

	private FakeKernel kernel;

	private V2Manager manager;

	@BeforeEach
	void setUp() throws IOException {
		this.kernel = FakeKernel.v2(this.tree, true, "cpuset cpu io memory hugetlb pids");
		this.manager = manager("/berth/abc");
	}

	private V2Manager manager(String cgroupsPath) {
		V2Manager manager = new V2Manager(CgroupPath.parse(cgroupsPath), this.tree, this.kernel);
		manager.setTimeouts(Duration.ofMillis(200), Duration.ofMillis(200));
		return manager;
	}

	@Test
	void applyEnablesTheControllersOnTheWayDownAndMovesThePid() {
		this.manager.apply(42);
		assertThat(this.tree.resolve("cgroup.subtree_control")).content()
			.isEqualTo("cpuset cpu io memory hugetlb pids\n");
		assertThat(this.tree.resolve("berth/cgroup.subtree_control")).content()
			.isEqualTo("cpuset cpu io memory hugetlb pids\n");
		// not in the leaf: a cgroup with processes cannot pass controllers down
		assertThat(this.tree.resolve("berth/abc/cgroup.subtree_control")).content().isEqualTo("\n");
		assertThat(this.tree.resolve("berth/abc/cgroup.procs")).content().isEqualTo("42\n");
		assertThat(this.tree.resolve("berth/abc/memory.max")).exists();
		assertThat(this.kernel.writtenFiles()).containsExactly("cgroup.subtree_control=+cpuset",
				"cgroup.subtree_control=+cpu", "cgroup.subtree_control=+io", "cgroup.subtree_control=+memory",
				"cgroup.subtree_control=+hugetlb", "cgroup.subtree_control=+pids", "cgroup.subtree_control=+cpuset",
				"cgroup.subtree_control=+cpu", "cgroup.subtree_control=+io", "cgroup.subtree_control=+memory",
				"cgroup.subtree_control=+hugetlb", "cgroup.subtree_control=+pids", "cgroup.procs=42");
	}

	@Test
	void prepareEnablesTheControllersAndNamesTheDirectoryAForkedProcessIsBornIn() {
		CgroupEntry entry = this.manager.prepare();
		assertThat(entry.bornIn()).isEqualTo(this.tree.resolve("berth/abc"));
		assertThat(entry.selfJoinTasks()).isEmpty();
		assertThat(this.tree.resolve("berth/cgroup.subtree_control")).content()
			.isEqualTo("cpuset cpu io memory hugetlb pids\n");
		assertThat(this.tree.resolve("berth/abc/cgroup.procs")).content().isEmpty();
	}

	@Test
	void applyOnlyEnablesWhatIsNotEnabledYet() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		manager("/berth/other").apply(43);
		assertThat(this.kernel.writtenFiles()).containsExactly("cgroup.procs=43");
	}

	@Test
	void applyGoesOnWhenAControllerCannotBeEnabled() {
		this.kernel.failures.put("cgroup.subtree_control", "Device or resource busy");
		this.manager.apply(42);
		assertThat(this.tree.resolve("berth/abc/cgroup.procs")).content().isEqualTo("42\n");
		this.kernel.failures.clear();
		assertThatExceptionOfType(CgroupException.class).isThrownBy(() -> this.manager.set(pids(10)))
			.withMessage("pids.max: cannot write 10: No such file or directory");
	}

	@Test
	void setWritesEachResourceToItsFile() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		this.manager.set(new Resources(64 * MIB, 32 * MIB, 128 * MIB, 512L, 50_000L, 100_000L, "0-1", "0", 16L,
				List.of()));
		assertThat(this.kernel.writes).containsExactly("berth/abc/memory.max=67108864",
				"berth/abc/memory.swap.max=67108864", "berth/abc/memory.low=33554432", "berth/abc/cpu.weight=20",
				"berth/abc/cpu.max=50000 100000", "berth/abc/cpuset.cpus=0-1", "berth/abc/cpuset.mems=0",
				"berth/abc/pids.max=16");
	}

	@Test
	void setWritesMaxForNoLimit() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		this.manager.set(new Resources(-1L, -1L, -1L, null, -1L, null, null, null, 0L, List.of()));
		assertThat(this.kernel.writtenFiles()).containsExactly("memory.max=max", "memory.swap.max=max",
				"memory.low=max", "cpu.max=max 100000", "pids.max=max");
	}

	@Test
	void cpuWeightIsTheLinearMapOfSharesOntoWeights() {
		assertThat(V2Manager.cpuWeight(2)).isEqualTo(1);
		assertThat(V2Manager.cpuWeight(1024)).isEqualTo(39);
		assertThat(V2Manager.cpuWeight(512)).isEqualTo(20);
		assertThat(V2Manager.cpuWeight(262_144)).isEqualTo(10_000);
		// out of the v1 range: clamped as the v1 kernel would
		assertThat(V2Manager.cpuWeight(1)).isEqualTo(1);
		assertThat(V2Manager.cpuWeight(1_000_000)).isEqualTo(10_000);
	}

	@Test
	void cpuMaxKeepsWhatIsNotGiven() throws IOException {
		this.manager.apply(42);
		this.kernel.put(this.tree.resolve("berth/abc/cpu.max"), "max 250000\n");
		this.manager.set(cpu(30_000L, null));
		assertThat(this.tree.resolve("berth/abc/cpu.max")).content().isEqualTo("30000 250000\n");
		this.manager.set(cpu(null, 50_000L));
		assertThat(this.tree.resolve("berth/abc/cpu.max")).content().isEqualTo("30000 50000\n");
		this.manager.set(cpu(0L, null));
		assertThat(this.tree.resolve("berth/abc/cpu.max")).content().isEqualTo("max 50000\n");
	}

	@Test
	void swapIsMemoryPlusSwapMinusTheLimit() {
		assertThat(V2Manager.swapMax(128 * MIB, 64 * MIB)).isEqualTo("67108864");
		assertThat(V2Manager.swapMax(64 * MIB, 64 * MIB)).isEqualTo("0");
		assertThat(V2Manager.swapMax(-1, 64 * MIB)).isEqualTo("max");
		assertThat(V2Manager.swapMax(-1, -1)).isEqualTo("max");
		assertThatIllegalArgumentException().isThrownBy(() -> V2Manager.swapMax(32 * MIB, 64 * MIB))
			.withMessage("linux.resources.memory.swap: 33554432 is less than the memory limit 67108864 "
					+ "(swap is memory plus swap)");
		assertThatIllegalArgumentException().isThrownBy(() -> V2Manager.swapMax(32 * MIB, -1))
			.withMessage("linux.resources.memory.swap: cannot be limited to 33554432 while memory has no limit "
					+ "(swap is memory plus swap)");
	}

	@Test
	void swapAloneIsTakenAgainstTheCurrentLimit() {
		this.manager.apply(42);
		this.manager.set(memory(64 * MIB, null));
		this.kernel.writes.clear();
		this.manager.set(memory(null, 96 * MIB));
		assertThat(this.kernel.writtenFiles()).containsExactly("memory.swap.max=33554432");
		this.manager.set(memory(-1L, -1L));
		this.kernel.writes.clear();
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.set(memory(null, 96 * MIB)))
			.withMessageContaining("while memory has no limit");
		assertThat(this.kernel.writes).isEmpty();
	}

	@Test
	void setWithoutSwapAccountingIgnoresASwapEqualToTheLimitOrUnlimited() throws IOException {
		FakeKernel kernel = FakeKernel.v2(this.tree.resolve("noswap"), false, "memory");
		V2Manager manager = new V2Manager(CgroupPath.parse("abc"), this.tree.resolve("noswap"), kernel);
		manager.apply(42);
		kernel.writes.clear();
		manager.set(memory(64 * MIB, 64 * MIB));
		manager.set(memory(64 * MIB, -1L));
		assertThat(kernel.writtenFiles()).containsExactly("memory.max=67108864", "memory.max=67108864");
		assertThatExceptionOfType(CgroupException.class).isThrownBy(() -> manager.set(memory(64 * MIB, 128 * MIB)))
			.withMessage("memory.swap.max: cannot write 67108864: swap accounting is off on this host "
					+ "(the file does not exist)");
		assertThat(kernel.writes).hasSize(2);
	}

	@Test
	void deviceRulesOfTheUsualShapeAreAcceptedAndNotWritten() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		this.manager.set(devices(new DeviceRule(false, "a", null, null, "rwm"),
				new DeviceRule(true, "c", 1L, 3L, "rwm"), new DeviceRule(true, "c", 136L, null, "rwm")));
		this.manager.set(devices(new DeviceRule(true, "a", null, null, "rwm")));
		// a specific deny before a rule for all devices is overridden by it
		this.manager.set(devices(new DeviceRule(false, "c", 1L, 3L, "rwm"),
				new DeviceRule(false, null, null, null, null), new DeviceRule(true, "c", 1L, 3L, "rwm")));
		assertThat(this.kernel.writes).isEmpty();
	}

	@Test
	void deviceRulesThatDenyAParticularDeviceAreRefused() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		assertThatExceptionOfType(CgroupException.class)
			.isThrownBy(() -> this.manager.set(new Resources(64 * MIB, null, null, null, null, null, null, null, null,
					List.of(new DeviceRule(true, "a", null, null, "rwm"), new DeviceRule(false, "b", 8L, 0L, "w")))))
			.withMessage("linux.resources.devices[1]: cannot deny \"b 8:0 w\" on cgroup v2: device rules need an eBPF "
					+ "program there, which is not supported yet");
		assertThat(this.kernel.writes).isEmpty();
	}

	@Test
	void freezeWaitsForCgroupEventsToShowFrozen() {
		this.manager.apply(42);
		this.kernel.readsUntilFrozen = 3;
		assertThat(this.manager.isFrozen()).isFalse();
		this.manager.freeze();
		assertThat(this.manager.isFrozen()).isTrue();
		assertThat(this.tree.resolve("berth/abc/cgroup.freeze")).content().isEqualTo("1\n");
		this.manager.thaw();
		assertThat(this.manager.isFrozen()).isFalse();
		assertThat(this.kernel.writesTo("cgroup.freeze")).containsExactly("1", "0");
	}

	@Test
	void freezeThatDoesNotCompleteThawsAndFails() {
		this.manager.apply(42);
		this.kernel.neverFreezes = true;
		assertThatExceptionOfType(CgroupException.class).isThrownBy(this.manager::freeze)
			.withMessage("cgroup.freeze: cannot write 1: cgroup.events does not show frozen after 200 ms, "
					+ "thawed again");
		assertThat(this.tree.resolve("berth/abc/cgroup.freeze")).content().isEqualTo("0\n");
		assertThat(this.manager.isFrozen()).isFalse();
	}

	@Test
	void statsReadTheUnifiedFiles() throws IOException {
		this.manager.apply(42);
		Path dir = this.tree.resolve("berth/abc");
		this.kernel.put(dir.resolve("cpu.stat"), "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 20\n"
				+ "nr_throttled 4\nthrottled_usec 700\nnr_bursts 0\nburst_usec 0\n");
		this.kernel.put(dir.resolve("memory.current"), "10485760\n");
		this.kernel.put(dir.resolve("memory.peak"), "20971520\n");
		this.kernel.put(dir.resolve("memory.stat"), "anon 8192\nfile 4096\nkernel 1024\n");
		this.kernel.put(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
		this.kernel.put(dir.resolve("pids.current"), "2\n");
		this.manager.set(new Resources(64 * MIB, null, null, null, null, null, null, null, 32L, List.of()));
		CgroupStats stats = this.manager.stats();
		assertThat(stats.cpu())
			.isEqualTo(new CgroupStats.Cpu(1_500_000, 1_000_000, 500_000, List.of(), 20, 4, 700_000));
		assertThat(stats.memory()).isEqualTo(new CgroupStats.Memory(10485760, 64 * MIB, 20971520, 4096,
				Map.of("anon", 8192L, "file", 4096L, "kernel", 1024L)));
		assertThat(stats.pids()).isEqualTo(new CgroupStats.Pids(2, 32));
		assertThat(stats.oomKills()).isEqualTo(1);
		assertThat(this.manager.oomKillCount()).isEqualTo(1);
	}

	@Test
	void statsWithoutMemoryPeakOrControllersReadZero() throws IOException {
		FakeKernel kernel = FakeKernel.v2(this.tree.resolve("bare"), false, "");
		V2Manager manager = new V2Manager(CgroupPath.parse("abc"), this.tree.resolve("bare"), kernel);
		manager.apply(42);
		CgroupStats stats = manager.stats();
		assertThat(stats.memory()).isEqualTo(CgroupStats.Memory.NONE);
		assertThat(stats.pids()).isEqualTo(CgroupStats.Pids.NONE);
		assertThat(stats.cpu().usageNanos()).isZero();
		assertThat(manager.oomKillCount()).isZero();
	}

	@Test
	void destroyRemovesTheCgroupItsChildrenAndTheParentItCreated() throws IOException {
		this.manager.apply(42);
		this.kernel.mkdir(this.tree.resolve("berth/abc/inner"));
		Files.writeString(this.tree.resolve("berth/abc/cgroup.procs"), "");
		this.kernel.busy.put(this.tree.resolve("berth/abc"), 2);
		this.manager.destroy();
		assertThat(this.tree.resolve("berth")).doesNotExist();
		assertThat(this.manager.exists()).isFalse();
		assertThat(this.manager.pids()).isEmpty();
		this.manager.destroy();
	}

	@Test
	void aCgroupThatDoesNotExistCanBeAskedButNotChanged() {
		String gone = this.tree.resolve("berth/abc") + ": the cgroup does not exist (apply() creates it)";
		assertThatExceptionOfType(CgroupException.class).isThrownBy(() -> this.manager.set(pids(10))).withMessage(gone);
		assertThatExceptionOfType(CgroupException.class).isThrownBy(this.manager::freeze).withMessage(gone);
		assertThatExceptionOfType(CgroupException.class).isThrownBy(this.manager::stats).withMessage(gone);
		assertThat(this.manager.exists()).isFalse();
		assertThat(this.manager.isFrozen()).isFalse();
		assertThat(this.manager.pids()).isEmpty();
		assertThat(this.manager.oomKillCount()).isZero();
		assertThat(this.kernel.writes).isEmpty();
	}

	@Test
	void pathIsTheOneDirectory() {
		assertThat(this.manager.path("memory")).isEqualTo(this.tree.resolve("berth/abc"));
		assertThat(this.manager.path("cpu")).isEqualTo(this.tree.resolve("berth/abc"));
		assertThat(this.manager.paths()).containsExactly(Map.entry("", this.tree.resolve("berth/abc")));
	}

	private static Resources memory(Long limit, Long swap) {
		return new Resources(limit, null, swap, null, null, null, null, null, null, List.of());
	}

	private static Resources cpu(Long quota, Long period) {
		return new Resources(null, null, null, null, quota, period, null, null, null, List.of());
	}

	private static Resources pids(long limit) {
		return new Resources(null, null, null, null, null, null, null, null, limit, List.of());
	}

	private static Resources devices(DeviceRule... rules) {
		return new Resources(null, null, null, null, null, null, null, null, null, List.of(rules));
	}

}
