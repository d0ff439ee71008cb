package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.berth.runtime.spec.RuntimeSpec.DeviceRule;
import dev.berth.runtime.spec.RuntimeSpec.Resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link CgroupManager#create(String)} on this host's real cgroups (v1 here, with the hybrid
 * cgroup2 mount; the v2 branches are for pure cgroup2 hosts), with real processes. Needs root.
 */
@Tag("privileged")
class CgroupManagerPrivilegedTests {

	private static final String PARENT = "/berth-test";

	private static final long MIB = 1024 * 1024;

	private final String cgroupsPath = PARENT + "/" + UUID.randomUUID().toString().substring(0, 8);

	private final List<Process> processes = new ArrayList<>();

	private CgroupManager manager;

	private boolean parentExisted;

	private boolean v2;

	@BeforeEach
	void setUp() {
		this.manager = CgroupManager.create(this.cgroupsPath);
		this.v2 = this.manager instanceof V2Manager;
		this.parentExisted = Files.exists(this.manager.path("memory").getParent());
	}

	@AfterEach
	void cleanUp() throws Exception {
		try {
			if (this.manager.exists()) {
				// a task frozen by the v1 freezer does not die of SIGKILL until thawed
				this.manager.thaw();
			}
		}
		finally {
			for (Process process : this.processes) {
				process.destroyForcibly();
				process.waitFor(10, TimeUnit.SECONDS);
			}
			this.manager.destroy();
		}
		for (Path dir : this.manager.paths().values()) {
			assertThat(dir).doesNotExist();
		}
	}

	@AfterAll
	static void removeParent() {
		// left by an earlier run that died: CgroupManager only removes parents it created
		for (Path dir : CgroupManager.create(PARENT).paths().values()) {
			try {
				Files.deleteIfExists(dir);
			}
			catch (IOException ex) {
				// still in use
			}
		}
	}

	@Test
	void appliesLimitsFreezesAndDestroysARealProcess() throws Exception {
		Process process = start("sh", "-c",
				"read line; i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done; exec sleep 30");
		long pid = process.pid();
		this.manager.apply(pid);
		String cgroups = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
		if (this.v2 || this.manager.paths().containsKey("")) {
			assertThat(cgroups).contains("0::" + this.cgroupsPath + "\n");
		}
		if (!this.v2) {
			for (String controller : List.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "pids")) {
				assertThat(cgroups).contains(":" + controller + ":" + this.cgroupsPath + "\n");
			}
		}

		this.manager.set(new Resources(64 * MIB, null, null, 512L, 50_000L, 100_000L, null, null, 16L, List.of()));
		if (this.v2) {
			assertThat(read("memory", "memory.max")).isEqualTo("67108864");
			assertThat(read("cpu", "cpu.weight")).isEqualTo("20");
			assertThat(read("cpu", "cpu.max")).isEqualTo("50000 100000");
		}
		else {
			assertThat(read("memory", "memory.limit_in_bytes")).isEqualTo("67108864");
			assertThat(read("cpu", "cpu.shares")).isEqualTo("512");
			assertThat(read("cpu", "cpu.cfs_quota_us")).isEqualTo("50000");
			assertThat(read("cpu", "cpu.cfs_period_us")).isEqualTo("100000");
		}
		assertThat(read("pids", "pids.max")).isEqualTo("16");

		// work inside the cgroup, so that it is charged there
		release(process);
		assertThat(eventually(() -> {
			CgroupStats stats = this.manager.stats();
			return stats.cpu().usageNanos() > 0 && stats.memory().usage() > 0;
		})).as("usage shows in the cgroup's stats").isTrue();
		CgroupStats stats = this.manager.stats();
		assertThat(stats.memory().limit()).isEqualTo(64 * MIB);
		assertThat(stats.pids()).isEqualTo(new CgroupStats.Pids(1, 16));
		assertThat(stats.oomKills()).isZero();
		if (!this.v2) {
			assertThat(stats.cpu().perCpuUsageNanos()).hasSize(Runtime.getRuntime().availableProcessors());
			assertThat(stats.cpu().perCpuUsageNanos().stream().mapToLong(Long::longValue).sum())
				.isEqualTo(stats.cpu().usageNanos());
		}
		assertThat(this.manager.pids()).containsExactly(pid);

		this.manager.freeze();
		assertThat(this.manager.isFrozen()).isTrue();
		if (!this.v2) {
			assertThat(read("freezer", "freezer.state")).isEqualTo("FROZEN");
			assertThat(state(pid)).isNotIn('R', 'S');
		}
		this.manager.thaw();
		assertThat(this.manager.isFrozen()).isFalse();
		assertThat(eventually(() -> state(pid) == 'S')).as("sleeps again").isTrue();

		process.destroyForcibly();
		process.waitFor();
		this.manager.destroy();
		assertThat(this.manager.exists()).isFalse();
		for (Path dir : this.manager.paths().values()) {
			assertThat(dir).doesNotExist();
			if (!this.parentExisted) {
				assertThat(dir.getParent()).doesNotExist();
			}
		}
		this.manager.destroy();
	}

	@Test
	void newCpusetGetsTheParentsCpusAndTakesNewOnes() throws Exception {
		Process process = start("sleep", "30");
		this.manager.apply(process.pid());
		Path leaf = this.manager.path("cpuset");
		Path root = leaf.getParent().getParent();
		if (!this.v2) {
			assertThat(read("cpuset", "cpuset.cpus")).isEqualTo(Files.readString(root.resolve("cpuset.cpus")).strip());
			assertThat(read("cpuset", "cpuset.mems")).isEqualTo(Files.readString(root.resolve("cpuset.mems")).strip());
		}
		this.manager.set(new Resources(null, null, null, null, null, null, "0", "0", null, List.of()));
		assertThat(read("cpuset", "cpuset.cpus")).isEqualTo("0");
		assertThat(Files.readString(Path.of("/proc/" + process.pid() + "/status"))).contains("Cpus_allowed_list:\t0\n");
	}

	@Test
	void deviceRulesAreWrittenInOrder() throws Exception {
		Process process = start("sleep", "30");
		this.manager.apply(process.pid());
		this.manager.set(new Resources(null, null, null, null, null, null, null, null, null,
				List.of(new DeviceRule(false, "a", null, null, "rwm"), new DeviceRule(true, "c", 1L, 3L, "rwm"),
						new DeviceRule(true, "c", 136L, null, "rw"), new DeviceRule(true, "b", null, null, "m"))));
		if (!this.v2) {
			assertThat(read("devices", "devices.list").lines()).containsExactlyInAnyOrder("c 1:3 rwm", "c 136:* rw",
					"b *:* m");
		}
	}

	@Test
	void memoryAndSwapGoUpAndDownInAnOrderTheKernelTakes() throws Exception {
		this.manager.apply(start("sleep", "30").pid());
		long[][] steps = { { 64, 128 }, { 256, 512 }, { 32, 64 }, { 128, 160 }, { -1, -1 } };
		for (long[] step : steps) {
			long limit = (step[0] > 0) ? step[0] * MIB : -1;
			long swap = (step[1] > 0) ? step[1] * MIB : -1;
			this.manager.set(new Resources(limit, null, swap, null, null, null, null, null, null, List.of()));
			assertThat(this.manager.stats().memory().limit()).isEqualTo((limit > 0) ? limit : CgroupStats.UNLIMITED);
			if (!this.v2 && Files.exists(this.manager.path("memory").resolve(V1Memory.MEMSW_LIMIT))) {
				assertThat(V1Memory.normalize(Long.parseLong(read("memory", V1Memory.MEMSW_LIMIT))))
					.isEqualTo((swap > 0) ? swap : CgroupStats.UNLIMITED);
			}
		}
	}

	@Test
	void memoryHogIsOomKilled() throws Exception {
		Process process = start("python3", "-c",
				"import sys; sys.stdin.readline(); data = b'x' * (200 * 1024 * 1024); print(len(data))");
		this.manager.apply(process.pid());
		this.manager.set(new Resources(32 * MIB, null, 32 * MIB, null, null, null, null, null, null, List.of()));
		release(process);
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
		assertThat(this.manager.oomKillCount()).isGreaterThanOrEqualTo(1);
		assertThat(this.manager.stats().oomKills()).isEqualTo(this.manager.oomKillCount());
	}

	@Test
	void limitBelowWhatIsInUseIsRefusedByTheKernel() throws Exception {
		Process process = start("python3", "-c", "import sys; sys.stdin.readline(); data = b'x' * (48 * 1024 * 1024); "
				+ "print('ready', flush=True); sys.stdin.readline()");
		this.manager.apply(process.pid());
		release(process);
		assertThat(process.inputReader().readLine()).isEqualTo("ready");
		if (this.v2) {
			// v2 reclaims, then OOM-kills instead of refusing
			this.manager.set(new Resources(8 * MIB, null, null, null, null, null, null, null, null, List.of()));
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		else {
			assertThatExceptionOfType(CgroupException.class)
				.isThrownBy(() -> this.manager
					.set(new Resources(8 * MIB, null, null, null, null, null, null, null, null, List.of())))
				.withMessage("memory.limit_in_bytes: cannot write 8388608: Device or resource busy");
			assertThat(read("memory", "memory.limit_in_bytes")).isNotEqualTo("8388608");
		}
	}

	@Test
	void destroyWaitsForKilledProcessesToExit() throws Exception {
		for (int i = 0; i < 3; i++) {
			this.manager.apply(start("sleep", "30").pid());
		}
		assertThat(this.manager.pids()).hasSize(3);
		for (long pid : this.manager.pids()) {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
		this.manager.destroy();
		assertThat(this.manager.exists()).isFalse();
		assertThat(this.manager.pids()).isEmpty();
	}

	private Process start(String... command) throws IOException {
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		this.processes.add(process);
		return process;
	}

	private static void release(Process process) throws IOException {
		OutputStream stdin = process.getOutputStream();
		stdin.write("\n".getBytes(StandardCharsets.US_ASCII));
		stdin.flush();
	}

	private String read(String controller, String file) throws IOException {
		return Files.readString(this.manager.path(controller).resolve(file)).strip();
	}

	/** The state letter of /proc/<pid>/stat: R running, S sleeping, D uninterruptible (v1 frozen)... */
	private static char state(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
			return stat.charAt(stat.lastIndexOf(')') + 2);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean eventually(BooleanSupplier condition) {
		return AbstractCgroupManager.await(condition, Duration.ofSeconds(10));
	}

}
