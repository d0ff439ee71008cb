package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * {@link V1Manager} against a {@link FakeKernel} laid out like this machine's v1 hierarchies.
 */
class V1ManagerTests {

	private static final long MIB = 1024 * 1024;

	@TempDir
	Path tree;

	private FakeKernel kernel;

	private V1Manager manager;

	@BeforeEach
	void setUp() throws IOException {
		this.kernel = FakeKernel.v1(this.tree);
		this.manager = manager("/berth/abc");
	}

	private V1Manager manager(String cgroupsPath) {
		V1Manager manager = new V1Manager(CgroupPath.parse(cgroupsPath), FakeKernel.v1Hierarchies(this.tree),
				this.kernel);
		manager.setTimeouts(Duration.ofMillis(200), Duration.ofMillis(200));
		return manager;
	}

	@Test
	void applyCreatesTheCgroupInEveryHierarchyAndMovesThePid() throws IOException {
		this.manager.apply(42);
		for (String hierarchy : List.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
				"systemd")) {
			Path dir = this.tree.resolve(hierarchy).resolve("berth/abc");
			assertThat(dir.resolve("cgroup.procs")).as(hierarchy).content().isEqualTo("42\n");
		}
		assertThat(this.manager.exists()).isTrue();
		assertThat(this.manager.pids()).containsExactly(42L);
	}

	@Test
	void applyGivesEveryNewCpusetLevelItsParentsCpusAndMems() {
		// the fake refuses a task into a cpuset without CPUs, as the kernel does (ENOSPC)
		this.manager.apply(42);
		for (String level : List.of("berth", "berth/abc")) {
			Path dir = this.tree.resolve("cpuset").resolve(level);
			assertThat(dir.resolve("cpuset.cpus")).content().isEqualTo("0-3\n");
			assertThat(dir.resolve("cpuset.mems")).content().isEqualTo("0\n");
		}
		assertThat(this.kernel.writtenFiles()).containsSubsequence("cpuset.cpus=0-3", "cpuset.mems=0",
				"cpuset.cpus=0-3", "cpuset.mems=0", "cgroup.procs=42");
	}

	@Test
	void applyFillsAnExistingParentWithEmptyCpusetsButLeavesAConfiguredOne() throws IOException {
		this.kernel.mkdir(this.tree.resolve("cpuset/berth"));
		manager("/berth/a").apply(1);
		assertThat(this.tree.resolve("cpuset/berth/cpuset.cpus")).content().isEqualTo("0-3\n");
		this.kernel.put(this.tree.resolve("cpuset/berth/cpuset.cpus"), "1\n");
		manager("/berth/b").apply(2);
		assertThat(this.tree.resolve("cpuset/berth/b/cpuset.cpus")).content().isEqualTo("1\n");
	}

	@Test
	void applyTwiceReusesTheCgroup() throws IOException {
		this.manager.apply(42);
		this.manager.apply(43);
		assertThat(this.tree.resolve("memory/berth/abc/cgroup.procs")).content().isEqualTo("42\n43\n");
	}

	@Test
	void prepareCreatesTheCgroupEverywhereAndNamesWhereAForkedProcessEntersIt() throws IOException {
		Map<String, Path> hybrid = new LinkedHashMap<>(FakeKernel.v1Hierarchies(this.tree));
		hybrid.put(CgroupMounts.UNIFIED, this.tree.resolve("unified"));
		Files.createDirectories(this.tree.resolve("unified"));
		CgroupEntry entry = new V1Manager(CgroupPath.parse("/berth/abc"), hybrid, this.kernel).prepare();
		assertThat(entry.bornIn()).isEqualTo(this.tree.resolve("unified/berth/abc"));
		assertThat(entry.bornIn()).isDirectory();
		List<String> v1 = List.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd");
		assertThat(entry.selfJoinTasks())
			.containsExactlyElementsOf(v1.stream().map((name) -> this.tree.resolve(name + "/berth/abc/tasks")).toList());
		assertThat(entry.selfJoinTasks()).allSatisfy((tasks) -> assertThat(tasks.getParent()).isDirectory());
		// nobody moved: only the new cpuset levels' sets were written
		assertThat(this.kernel.writtenFiles()).allSatisfy((write) -> assertThat(write).startsWith("cpuset."));
		assertThat(this.manager.prepare().bornIn()).as("no cgroup2 mounted").isNull();
	}

	@Test
	void applyRejectsAnInvalidPid() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.apply(0))
			.withMessage("pid: must be positive, got 0");
	}

	@Test
	void setWritesEachResourceToItsFile() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		this.manager.set(new Resources(64 * MIB, 32 * MIB, 128 * MIB, 512L, 50_000L, 100_000L, "0-1", "0", 16L,
				List.of(new DeviceRule(false, "a", null, null, "rwm"), new DeviceRule(true, "c", 1L, 3L, "rwm"),
						new DeviceRule(true, "c", null, null, "m"), new DeviceRule(true, "b", 8L, -1L, "rw"))));
		assertThat(this.kernel.writes).containsExactly("memory/berth/abc/memory.limit_in_bytes=67108864",
				"memory/berth/abc/memory.memsw.limit_in_bytes=134217728",
				"memory/berth/abc/memory.soft_limit_in_bytes=33554432", "cpu/berth/abc/cpu.shares=512",
				"cpu/berth/abc/cpu.cfs_period_us=100000", "cpu/berth/abc/cpu.cfs_quota_us=50000",
				"cpuset/berth/abc/cpuset.cpus=0-1", "cpuset/berth/abc/cpuset.mems=0", "pids/berth/abc/pids.max=16",
				"devices/berth/abc/devices.deny=a *:* rwm", "devices/berth/abc/devices.allow=c 1:3 rwm",
				"devices/berth/abc/devices.allow=c *:* m", "devices/berth/abc/devices.allow=b 8:* rw");
	}

	@Test
	void setLeavesNullAndZeroDefaultsAlone() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		this.manager.set(Resources.NONE);
		this.manager.set(new Resources(null, null, null, 0L, null, 0L, "", "", null, List.of()));
		assertThat(this.kernel.writes).isEmpty();
	}

	@Test
	void setWritesMaxForAPidsLimitOfZeroOrMinusOne() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		this.manager.set(pids(0));
		this.manager.set(pids(-1));
		this.manager.set(pids(100));
		assertThat(this.kernel.writesTo("pids.max")).containsExactly("max", "max", "100");
	}

	@Test
	void setRemovesTheQuotaForZeroOrMinusOne() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		this.manager.set(cpu(null, 0L, null));
		this.manager.set(cpu(null, -1L, null));
		this.manager.set(cpu(null, 20_000L, null));
		assertThat(this.kernel.writesTo("cpu.cfs_quota_us")).containsExactly("-1", "-1", "20000");
		assertThat(this.kernel.writesTo("cpu.cfs_period_us")).isEmpty();
	}

	@Test
	void setWritesThePeriodAfterTheQuotaWhenThePeriodIsRefusedFirst() {
		this.manager.apply(42);
		this.kernel.failures.put("cpu.cfs_period_us", "Invalid argument");
		assertThatExceptionOfType(CgroupException.class)
			.isThrownBy(() -> this.manager.set(cpu(null, 50_000L, 200_000L)))
			.withMessage("cpu.cfs_period_us: cannot write 200000: Invalid argument");
		assertThat(this.kernel.writtenFiles()).endsWith("cpu.cfs_quota_us=50000");
	}

	@Test
	void setRaisesMemoryAndSwapWithSwapFirst() {
		this.manager.apply(42);
		this.manager.set(memory(64 * MIB, 128 * MIB));
		this.kernel.writes.clear();
		this.manager.set(memory(256 * MIB, 512 * MIB));
		assertThat(this.kernel.writtenFiles()).containsExactly("memory.memsw.limit_in_bytes=536870912",
				"memory.limit_in_bytes=268435456");
	}

	@Test
	void setLowersMemoryAndSwapWithTheLimitFirst() {
		this.manager.apply(42);
		this.manager.set(memory(256 * MIB, 512 * MIB));
		this.kernel.writes.clear();
		this.manager.set(memory(32 * MIB, 64 * MIB));
		assertThat(this.kernel.writtenFiles()).containsExactly("memory.limit_in_bytes=33554432",
				"memory.memsw.limit_in_bytes=67108864");
	}

	@Test
	void setRemovesBothLimitsWithSwapFirst() {
		this.manager.apply(42);
		this.manager.set(memory(64 * MIB, 64 * MIB));
		this.kernel.writes.clear();
		this.manager.set(memory(-1, -1));
		assertThat(this.kernel.writtenFiles()).containsExactly("memory.memsw.limit_in_bytes=-1",
				"memory.limit_in_bytes=-1");
		assertThat(this.tree.resolve("memory/berth/abc/memory.limit_in_bytes")).content()
			.isEqualTo(FakeKernel.V1_UNLIMITED + "\n");
	}

	@Test
	void setMovesMemoryBetweenLimitsWhereOneGoesUpAndTheOtherDown() {
		this.manager.apply(42);
		this.manager.set(memory(64 * MIB, 512 * MIB));
		this.kernel.writes.clear();
		// memory up, memory+swap down: the new memory+swap is still above the old limit, so it goes first
		this.manager.set(memory(128 * MIB, 256 * MIB));
		assertThat(this.kernel.writtenFiles()).containsExactly("memory.memsw.limit_in_bytes=268435456",
				"memory.limit_in_bytes=134217728");
	}

	@Test
	void setWithoutSwapAccountingIgnoresASwapEqualToTheLimitOrUnlimited() throws IOException {
		this.kernel = FakeKernel.v1(this.tree.resolve("noswap"), false, "memory");
		V1Manager manager = new V1Manager(CgroupPath.parse("/berth/abc"),
				Map.of("memory", this.tree.resolve("noswap/memory")), this.kernel);
		manager.apply(42);
		this.kernel.writes.clear();
		manager.set(memory(64 * MIB, 64 * MIB));
		manager.set(memory(64 * MIB, -1));
		manager.set(new Resources(null, null, 64 * MIB, null, null, null, null, null, null, List.of()));
		assertThat(this.kernel.writtenFiles()).containsExactly("memory.limit_in_bytes=67108864",
				"memory.limit_in_bytes=67108864");
		assertThatExceptionOfType(CgroupException.class).isThrownBy(() -> manager.set(memory(64 * MIB, 128 * MIB)))
			.withMessage("memory.memsw.limit_in_bytes: cannot write 134217728: swap accounting is off on this host "
					+ "(the file does not exist)");
		assertThat(this.kernel.writes).hasSize(2);
	}

	@Test
	void setRejectsInvalidValuesBeforeWritingAnything() {
		this.manager.apply(42);
		this.kernel.writes.clear();
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.set(memory(0, 0)))
			.withMessage("linux.resources.memory.limit: must be positive, or -1 for no limit, got 0");
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.set(memory(64 * MIB, 32 * MIB)))
			.withMessage("linux.resources.memory.swap: is memory plus swap, so it cannot be less than "
					+ "memory.limit (67108864), got 33554432");
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.set(memory(-1, 32 * MIB)))
			.withMessage("linux.resources.memory.swap: cannot be limited when memory.limit is -1 (no limit), "
					+ "got 33554432");
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.set(pids(-2)))
			.withMessage("linux.resources.pids.limit: must be positive, or 0 or -1 for no limit, got -2");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.manager.set(devices(new DeviceRule(true, "x", 1L, 3L, "rwm"))))
			.withMessage("linux.resources.devices[0].type: must be a, b or c, got \"x\"");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.manager.set(devices(new DeviceRule(true, "c", 1L, 3L, "rwx"))))
			.withMessage("linux.resources.devices[0].access: must be letters of \"rwm\", got \"rwx\"");
		assertThat(this.kernel.writes).isEmpty();
	}

	@Test
	void setReportsTheKernelsRefusalWithFileAndValue() {
		this.manager.apply(42);
		this.kernel.failures.put("memory.limit_in_bytes", "Device or resource busy");
		assertThatExceptionOfType(CgroupException.class).isThrownBy(() -> this.manager.set(memory(1000, -1)))
			.withMessage("memory.limit_in_bytes: cannot write 1000: Device or resource busy")
			.satisfies((ex) -> assertThat(ex.getFile())
				.isEqualTo(this.tree.resolve("memory/berth/abc/memory.limit_in_bytes")));
	}

	@Test
	void aCgroupThatDoesNotExistCanBeAskedButNotChanged() {
		assertThatExceptionOfType(CgroupException.class).isThrownBy(() -> this.manager.set(pids(10)))
			.withMessage(this.tree.resolve("pids/berth/abc") + ": the cgroup does not exist (apply() creates it)");
		assertThatExceptionOfType(CgroupException.class).isThrownBy(this.manager::freeze)
			.withMessage(this.tree.resolve("freezer/berth/abc") + ": the cgroup does not exist (apply() creates it)");
		assertThatExceptionOfType(CgroupException.class).isThrownBy(this.manager::stats)
			.withMessage("/berth/abc: the cgroup does not exist");
		assertThat(this.manager.exists()).isFalse();
		assertThat(this.manager.isFrozen()).isFalse();
		assertThat(this.manager.pids()).isEmpty();
		assertThat(this.manager.oomKillCount()).isZero();
		assertThat(this.kernel.writes).isEmpty();
	}

	@Test
	void setForAControllerThatIsNotMountedFails() throws IOException {
		V1Manager manager = new V1Manager(CgroupPath.parse("/berth/abc"), Map.of("memory", this.tree.resolve("memory")),
				this.kernel);
		manager.apply(42);
		this.kernel.writes.clear();
		assertThatExceptionOfType(CgroupException.class)
			.isThrownBy(() -> manager.set(new Resources(64 * MIB, null, null, null, null, null, null, null, 10L,
					List.of())))
			.withMessage("the pids cgroup controller is not mounted on this host");
		assertThat(this.kernel.writes).isEmpty();
	}

	@Test
	void freezeWaitsUntilTheStateReadsFrozen() {
		this.manager.apply(42);
		this.kernel.readsUntilFrozen = 3;
		assertThat(this.manager.isFrozen()).isFalse();
		this.manager.freeze();
		assertThat(this.manager.isFrozen()).isTrue();
		assertThat(this.tree.resolve("freezer/berth/abc/freezer.state")).content().isEqualTo("FROZEN\n");
		this.manager.thaw();
		assertThat(this.manager.isFrozen()).isFalse();
		assertThat(this.kernel.writesTo("freezer.state")).startsWith("FROZEN").endsWith("THAWED");
	}

	@Test
	void freezeThatDoesNotCompleteThawsAndFails() {
		this.manager.apply(42);
		this.kernel.neverFreezes = true;
		assertThatExceptionOfType(CgroupException.class).isThrownBy(this.manager::freeze)
			.withMessage("freezer.state: cannot write FROZEN: still FREEZING after 200 ms, thawed again");
		assertThat(this.tree.resolve("freezer/berth/abc/freezer.state")).content().isEqualTo("THAWED\n");
	}

	@Test
	void statsReadEveryController() throws IOException {
		this.manager.apply(42);
		this.kernel.put(this.tree.resolve("cpuacct/berth/abc/cpuacct.usage"), "123456789\n");
		this.kernel.put(this.tree.resolve("cpuacct/berth/abc/cpuacct.usage_percpu"), "100000000 23456789 \n");
		this.kernel.put(this.tree.resolve("cpuacct/berth/abc/cpuacct.stat"), "user 9\nsystem 2\n");
		this.kernel.put(this.tree.resolve("cpu/berth/abc/cpu.stat"),
				"nr_periods 50\nnr_throttled 7\nthrottled_time 3000000\nnr_bursts 0\nburst_time 0\n");
		this.kernel.put(this.tree.resolve("memory/berth/abc/memory.usage_in_bytes"), "10485760\n");
		this.kernel.put(this.tree.resolve("memory/berth/abc/memory.max_usage_in_bytes"), "20971520\n");
		this.kernel.put(this.tree.resolve("memory/berth/abc/memory.stat"),
				"cache 4096\nrss 8192\nhierarchical_memory_limit 9223372036854771712\ntotal_cache 12288\n");
		this.kernel.put(this.tree.resolve("memory/berth/abc/memory.oom_control"),
				"oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
		this.kernel.put(this.tree.resolve("pids/berth/abc/pids.current"), "3\n");
		this.manager.set(pids(16));
		CgroupStats stats = this.manager.stats();
		assertThat(stats.cpu()).isEqualTo(new CgroupStats.Cpu(123456789, 90_000_000, 20_000_000,
				List.of(100000000L, 23456789L), 50, 7, 3000000));
		assertThat(stats.memory().usage()).isEqualTo(10485760);
		assertThat(stats.memory().limit()).isEqualTo(CgroupStats.UNLIMITED);
		assertThat(stats.memory().maxUsage()).isEqualTo(20971520);
		assertThat(stats.memory().cache()).isEqualTo(12288);
		assertThat(stats.memory().stat()).containsEntry("rss", 8192L)
			.containsEntry("hierarchical_memory_limit", 9223372036854771712L);
		assertThat(stats.pids()).isEqualTo(new CgroupStats.Pids(3, 16));
		assertThat(stats.oomKills()).isEqualTo(2);
		assertThat(this.manager.oomKillCount()).isEqualTo(2);
		this.manager.set(memory(64 * MIB, -1));
		assertThat(this.manager.stats().memory().limit()).isEqualTo(64 * MIB);
	}

	@Test
	void pidsIncludesCgroupsTheContainerCreatedBelow() throws IOException {
		this.manager.apply(42);
		this.manager.apply(43);
		Path nested = this.tree.resolve("pids/berth/abc/inner");
		this.kernel.mkdir(nested);
		this.kernel.writeString(nested.resolve("cgroup.procs"), "44");
		assertThat(this.manager.pids()).containsExactly(42L, 43L, 44L);
	}

	@Test
	void destroyRemovesTheCgroupAndTheParentItCreatedEverywhere() throws IOException {
		this.manager.apply(42);
		emptyProcs();
		this.manager.destroy();
		assertThat(this.manager.exists()).isFalse();
		for (Path root : FakeKernel.v1Hierarchies(this.tree).values()) {
			assertThat(root.resolve("berth")).doesNotExist();
		}
		this.manager.destroy();
		manager("/berth/abc").destroy();
	}

	@Test
	void destroyKeepsAParentItFoundAndAParentOtherContainersUse() throws IOException {
		this.kernel.mkdir(this.tree.resolve("memory/berth"));
		V1Manager other = manager("/berth/other");
		this.manager.apply(42);
		other.apply(43);
		emptyProcs();
		this.manager.destroy();
		assertThat(this.tree.resolve("memory/berth/other")).isDirectory();
		assertThat(this.tree.resolve("pids/berth/other")).isDirectory();
		other.destroy();
		// memory/berth was there before; the others were created by this.manager, and in use then
		assertThat(this.tree.resolve("memory/berth")).isDirectory();
		assertThat(this.tree.resolve("pids/berth")).isDirectory();
		assertThat(this.tree.resolve("pids/berth/other")).doesNotExist();
	}

	@Test
	void destroyRetriesWhileTheCgroupIsBusy() throws IOException {
		this.manager.apply(42);
		emptyProcs();
		this.kernel.busy.put(this.tree.resolve("memory/berth/abc"), 3);
		this.manager.destroy();
		assertThat(this.manager.exists()).isFalse();
	}

	@Test
	void destroyRemovesCgroupsTheContainerCreatedBelow() throws IOException {
		this.manager.apply(42);
		emptyProcs();
		this.kernel.mkdir(this.tree.resolve("memory/berth/abc/inner"));
		this.kernel.mkdir(this.tree.resolve("memory/berth/abc/inner/deeper"));
		this.manager.destroy();
		assertThat(this.tree.resolve("memory/berth")).doesNotExist();
	}

	@Test
	void destroyOfACgroupWithProcessesFailsAfterTheTimeoutButRemovesTheOtherHierarchies() throws IOException {
		this.manager.apply(42);
		emptyProcs();
		this.kernel.writeString(this.tree.resolve("memory/berth/abc/cgroup.procs"), "42");
		assertThatExceptionOfType(CgroupException.class).isThrownBy(this.manager::destroy)
			.withMessage(this.tree.resolve("memory/berth/abc") + ": cannot remove: Device or resource busy");
		assertThat(this.tree.resolve("memory/berth/abc")).isDirectory();
		assertThat(this.tree.resolve("cpu/berth")).doesNotExist();
		assertThat(this.manager.exists()).isTrue();
		Files.writeString(this.tree.resolve("memory/berth/abc/cgroup.procs"), "");
		this.manager.destroy();
		assertThat(this.tree.resolve("memory/berth")).doesNotExist();
	}

	@Test
	void pathsNameEveryHierarchy() {
		assertThat(this.manager.path("memory")).isEqualTo(this.tree.resolve("memory/berth/abc"));
		assertThat(this.manager.path("name=systemd")).isEqualTo(this.tree.resolve("systemd/berth/abc"));
		assertThat(this.manager.paths()).hasSize(9).containsEntry("cpuacct", this.tree.resolve("cpuacct/berth/abc"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.path("rdma"))
			.withMessageStartingWith("no cgroup v1 hierarchy has the rdma controller; mounted: [cpu, cpuacct,");
	}

	@Test
	void coMountedControllersShareOneDirectory() throws IOException {
		FakeKernel kernel = FakeKernel.v1(this.tree.resolve("co"), true, "cpu,cpuacct", "memory");
		Path cpu = this.tree.resolve("co/cpu,cpuacct");
		V1Manager manager = new V1Manager(CgroupPath.parse("ctr"),
				Map.of("cpu", cpu, "cpuacct", cpu, "memory", this.tree.resolve("co/memory")), kernel);
		manager.apply(42);
		assertThat(cpu.resolve("berth/ctr/cgroup.procs")).content().isEqualTo("42\n");
		assertThat(manager.path("cpuacct")).isEqualTo(manager.path("cpu"));
		manager.set(cpu(512L, null, null));
		kernel.put(cpu.resolve("berth/ctr/cpuacct.usage"), "5\n");
		assertThat(manager.stats().cpu().usageNanos()).isEqualTo(5);
		Files.writeString(cpu.resolve("berth/ctr/cgroup.procs"), "");
		Files.writeString(this.tree.resolve("co/memory/berth/ctr/cgroup.procs"), "");
		manager.destroy();
		assertThat(cpu.resolve("berth")).doesNotExist();
	}

	/** The processes exited. */
	private void emptyProcs() throws IOException {
		try (var dirs = Files.walk(this.tree)) {
			for (Path procs : dirs.filter((p) -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
				Files.writeString(procs, "");
			}
		}
	}

	private static Resources memory(long limit, long swap) {
		return new Resources(limit, null, swap, null, null, null, null, null, null, List.of());
	}

	private static Resources cpu(Long shares, Long quota, Long period) {
		return new Resources(null, null, null, shares, quota, period, null, null, null, List.of());
	}

	private static Resources pids(long limit) {
		return new Resources(null, null, null, null, null, null, null, null, limit, List.of());
	}

	private static Resources devices(DeviceRule... rules) {
		return new Resources(null, null, null, null, null, null, null, null, null, List.of(rules));
	}

}
