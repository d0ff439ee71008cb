package dev.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.TestBundles;
import dev.berth.runtime.TestRuntimes;
import dev.berth.runtime.cgroup.CgroupManager;
import dev.berth.runtime.container.ContainerRuntime.Status;
import dev.berth.runtime.container.ContainerRuntime.Stdio;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.UnixSockets;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.SpecException;

/**
 * Real containers on the real kernel, as root: namespaces, mounts, cgroups, credentials, seccomp.
 */
@Tag("privileged")
class ContainerRuntimeTest {

	@TempDir
	Path temp;

	private ContainerRuntime runtime;

	private final List<String> created = new ArrayList<>();

	@BeforeEach
	void setUp() {
		this.runtime = TestRuntimes.create(this.temp.resolve("state"));
	}

	/** The ids {@link #createAndStart} gives, so that what a killed run left can be told apart. */
	private static final Pattern TEST_IDS = Pattern.compile("t-[0-9a-f]{8}");

	@BeforeAll
	static void removeWhatAKilledRunLeft() {
		TestRuntimes.removeLeftoverCgroups(TEST_IDS);
	}

	@AfterEach
	void cleanUp() {
		RuntimeException failure = null;
		for (String id : this.created) {
			// each one, whatever became of the others
			try {
				remove(id);
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		// ends a test's init zygote, if it started one
		this.runtime.close();
		if (failure != null) {
			throw failure;
		}
	}

	private void remove(String id) {
		// we are the parent of every init: kill and reap, so the cgroup holds no zombie
		int pid = this.runtime.load(id).pid();
		if (this.runtime.status(id) == Status.PAUSED) {
			this.runtime.resume(id);
		}
		try {
			Kernel.kill(pid, Kernel.SIGKILL);
			Kernel.waitpid(pid, 0);
		}
		catch (RuntimeException ex) {
			// already reaped by the test
		}
		this.runtime.delete(id, true);
	}

	@AfterAll
	static void removeParentCgroups() {
		TestRuntimes.removeLeftoverCgroups(TEST_IDS);
	}

	@Test
	void workloadIsPidOneWithTheSpecHostname() throws IOException {
		Result result = run(List.of("sh", "-c", "echo $$; hostname"), (spec) -> spec.put("hostname", "berth-test"));
		assertThat(result.exitCode()).isZero();
		assertThat(result.stdout()).isEqualTo("1\nberth-test\n");
	}

	@Test
	void forkedInitsBecomeContainers() throws Exception {
		Path state = this.temp.resolve("forking-state");
		InitLauncher launcher = TestRuntimes.forkingLauncher(state);
		this.runtime = new ContainerRuntime(state, launcher);
		for (int i = 0; i < 3; i++) {
			// each a child of ours (run() reaps it), PID 1 of its own namespace; the zygote trained at
			// nice 19, its copies set up at ours; its rehearsals left it every capability to drop
			Result result = run(List.of("sh", "-c", "echo $$; hostname; cut -d' ' -f19 /proc/$$/stat; grep CapEff /proc/$$/status"),
					(spec) -> spec.put("hostname", "forked"));
			assertThat(result.exitCode()).isZero();
			assertThat(result.stdout()).isEqualTo("1\nforked\n0\nCapEff:\t00000000a80425fb\n");
		}
		assertThat(launcher.forkedInits()).isEqualTo(3);
		// born in its cgroup2 directory, then written into each v1 hierarchy by itself: in every one
		String id = createAndStart(List.of("sleep", "1000"), (spec) -> {
		}, Stdio.inherit());
		assertThat(Files.readAllLines(Path.of("/proc/" + this.runtime.load(id).pid() + "/cgroup")))
			.isNotEmpty()
			.allSatisfy((line) -> assertThat(line).endsWith(":/berth/" + id));
		// a copy that fails its set-up reports as a spawned init does, and the zygote goes on
		assertThatThrownBy(() -> createAndStart(List.of("/no/such/program"), (spec) -> {
		}, Stdio.inherit())).isInstanceOf(ContainerException.class).hasMessageContaining("no such file or directory");
		assertThat(run(List.of("true"), (spec) -> {
		}).exitCode()).isZero();
		assertThat(launcher.forkedInits()).isEqualTo(5);
		launcher.forkInits(false);
		assertThat(launcher.forksInits()).isFalse();
	}

	@Test
	void workloadInheritsOnlyItsStdio() throws IOException {
		// a shell that forks ls (two commands), so $$ is the workload itself
		Result result = run(List.of("sh", "-c", "ls /proc/$$/fd; exit 0"), (spec) -> {
		});
		assertThat(result.stdout().trim().split("\n")).containsExactly("0", "1", "2");
	}

	@Test
	void signalMaskAndIgnoredSignalsAreClear() throws IOException {
		// grep itself as the workload: a shell would ignore SIGQUIT of its own accord
		Result result = run(List.of("grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"), (spec) -> {
		});
		assertThat(result.stdout()).contains("SigBlk:\t0000000000000000").contains("SigIgn:\t0000000000000000");
	}

	@Test
	void dockerDefaultCapabilities() throws IOException {
		Result result = run(List.of("grep", "CapEff", "/proc/self/status"), (spec) -> {
		});
		assertThat(result.stdout().trim()).isEqualTo("CapEff:\t00000000a80425fb");
	}

	@Test
	void capDropAllLeavesNoCapability() throws IOException {
		Result result = run(List.of("grep", "-E", "^Cap(Eff|Prm|Bnd)", "/proc/self/status"), (spec) -> {
			TestBundles.child(spec, "process").put("capabilities", Json.obj("bounding", List.of(), "effective",
					List.of(), "permitted", List.of()));
		});
		assertThat(result.stdout()).isEqualTo(
				"CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n");
	}

	@Test
	void aUserWithNoCapabilityLeftStillStarts() throws IOException {
		// the init opens the exec FIFO after taking the user: no CAP_DAC_OVERRIDE may be needed for it
		Result result = run(List.of("id", "-u"), (spec) -> {
			TestBundles.child(spec, "process").put("user", Json.obj("uid", 1000, "gid", 1000));
			TestBundles.child(spec, "process").put("capabilities", Json.obj("bounding", List.of(), "effective",
					List.of(), "permitted", List.of()));
		});
		assertThat(result.stderr()).isEmpty();
		assertThat(result.stdout()).isEqualTo("1000\n");
		assertThat(result.exitCode()).isZero();
	}

	@Test
	void maskedPathsAreEmptyAndProcSysIsReadOnly() throws IOException {
		// /proc/kcore where the kernel has one; /proc/keys and /proc/acpi are masked files and dirs everywhere
		Result result = run(List.of("sh", "-c",
				"for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && wc -c < $f; done; ls -A /proc/acpi | wc -l;"
						+ " echo x > /proc/sys/kernel/domainname && echo writable || echo refused"),
				(spec) -> {
				});
		int present = Files.exists(Path.of("/proc/kcore")) ? 3 : 2;
		assertThat(result.stdout()).isEqualTo("0\n".repeat(present) + "0\nrefused\n");
		assertThat(Files.size(Path.of("/proc/keys")) >= 0 && !Files.readAllLines(Path.of("/proc/keys")).isEmpty())
			.as("the host's /proc/keys has content, so an empty one is a masked one")
			.isTrue();
		assertThat(result.stderr()).contains("Read-only file system");
	}

	@Test
	void exitCodesAreReported() throws IOException {
		assertThat(run(List.of("true"), (spec) -> {
		}).exitCode()).isZero();
		assertThat(run(List.of("sh", "-c", "exit 3"), (spec) -> {
		}).exitCode()).isEqualTo(3);
	}

	@Test
	void sigkillGives137AndSigtermToANonInitProcessGives143() throws Exception {
		String id = createAndStart(List.of("sleep", "1000"), (spec) -> {
		}, Stdio.inherit());
		int pid = this.runtime.load(id).pid();
		this.runtime.kill(id, Kernel.SIGKILL, false);
		assertThat(Kernel.exitCode(Kernel.waitpid(pid, 0)[1])).isEqualTo(137);

		// in the host's pid namespace the workload is no namespace init, so SIGTERM's default applies
		String hostPid = createAndStart(List.of("sleep", "1000"), (spec) -> withoutNamespace(spec, "pid"),
				Stdio.inherit());
		int pid2 = this.runtime.load(hostPid).pid();
		this.runtime.kill(hostPid, Kernel.SIGTERM, false);
		assertThat(Kernel.exitCode(Kernel.waitpid(pid2, 0)[1])).isEqualTo(143);
	}

	@Test
	void stdinRoundTripsToStdout() throws IOException {
		int[] stdin = Kernel.pipe();
		int[] stdout = Kernel.pipe();
		String id = createAndStart(List.of("cat"), (spec) -> {
		}, new Stdio(new int[] { stdin[0], stdout[1], 2 }, -1));
		Kernel.close(stdin[0]);
		Kernel.close(stdout[1]);
		Kernel.writeFully(stdin[1], "hello through a container\n".getBytes(StandardCharsets.UTF_8));
		Kernel.close(stdin[1]);
		String output = Kernel.readToEndUtf8(stdout[0], 1 << 20);
		Kernel.close(stdout[0]);
		assertThat(output).isEqualTo("hello through a container\n");
		assertThat(Kernel.exitCode(Kernel.waitpid(this.runtime.load(id).pid(), 0)[1])).isZero();
	}

	@Test
	void terminalHasTheRequestedSize() throws IOException {
		int[] console = UnixSockets.pair();
		String id = createAndStart(List.of("sh", "-c", "stty size; tty"), (spec) -> {
			Map<String, Object> process = TestBundles.child(spec, "process");
			process.put("terminal", true);
			process.put("consoleSize", Json.obj("height", 40, "width", 120));
		}, new Stdio(new int[] { 0, 1, 2 }, console[1]));
		Kernel.close(console[1]);
		int master = UnixSockets.receiveDescriptor(console[0]);
		Kernel.close(console[0]);
		assertThat(master).isPositive();
		StringBuilder output = new StringBuilder();
		byte[] buffer = new byte[4096];
		try {
			int n;
			while ((n = Kernel.read(master, buffer)) > 0) {
				output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
			}
		}
		catch (RuntimeException ex) {
			// EIO: the terminal closed with its last process
		}
		Kernel.close(master);
		assertThat(output.toString()).isEqualTo("40 120\r\n/dev/pts/0\r\n");
		assertThat(Kernel.exitCode(Kernel.waitpid(this.runtime.load(id).pid(), 0)[1])).isZero();
	}

	@Test
	void memoryLimitOomKillsAHogAndIsReported() throws IOException {
		String id = createAndStart(List.of("dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"),
				(spec) -> resources(spec).put("memory", Json.obj("limit", 48L << 20, "swap", 48L << 20)),
				Stdio.inherit());
		CgroupManager cgroup = this.runtime.cgroup(id);
		int status = Kernel.waitpid(this.runtime.load(id).pid(), 0)[1];
		assertThat(Kernel.exitCode(status)).isEqualTo(137);
		assertThat(cgroup.oomKillCount()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void aMemoryLimitTooSmallForTheInitIsAClearErrorAndLeavesNothing() throws IOException {
		Path bundle = TestBundles.busybox(this.temp.resolve("tiny"), List.of("true"));
		Map<String, Object> spec = TestBundles.spec(List.of("true"));
		resources(spec).put("memory", Json.obj("limit", 4L << 20));
		TestBundles.writeSpec(bundle, spec);
		assertThatThrownBy(() -> this.runtime.create("tiny", bundle, Stdio.inherit()))
			.hasMessageContaining("linux.resources.memory.limit")
			.hasMessageContaining("at least " + ContainerRuntime.MIN_MEMORY_MIB + " MiB");
		assertThat(this.runtime.list()).isEmpty();
		assertThat(CgroupManager.create("/berth/tiny").exists()).isFalse();
	}

	@Test
	void inTheHostsCgroupNamespaceTheContainerSeesItsOwnCgroupsAndNoOthers() throws IOException {
		Result result = run(List.of("sh", "-c", "cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes;"
				+ " ls /sys/fs/cgroup/memory | grep -c berth"),
				(spec) -> {
					resources(spec).put("pids", Json.obj("limit", 7));
					resources(spec).put("memory", Json.obj("limit", 64L << 20));
					// Docker's default on cgroup v1: the host's cgroup namespace
					Map<String, Object> linux = TestBundles.child(spec, "linux");
					@SuppressWarnings("unchecked")
					List<Map<String, Object>> namespaces = (List<Map<String, Object>>) linux.get("namespaces");
					linux.put("namespaces", namespaces.stream().filter((ns) -> !"cgroup".equals(ns.get("type"))).toList());
				});
		// the limits are the container's own, and the engine's parent cgroup is out of sight
		assertThat(result.stdout()).isEqualTo("7\n" + (64L << 20) + "\n0\n");
	}

	@Test
	void pidsLimitIsEnforced() throws IOException {
		// an inner shell forks until the limit stops it; the outer one reports (runc prints the same)
		Result result = run(List.of("sh", "-c",
				"sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 3 & done; wait' 2>/dev/null; echo inner exit $?;"
						+ " cat /sys/fs/cgroup/pids/pids.max"),
				(spec) -> resources(spec).put("pids", Json.obj("limit", 6)));
		assertThat(result.stdout()).isEqualTo("inner exit 2\n6\n");
	}

	@Test
	void execJoinsThePidNamespaceAndFilesystem() throws IOException {
		assertExecJoinsThePidNamespaceAndFilesystem();
	}

	@Test
	void forkedExecJoinsThePidNamespaceAndFilesystem() throws Exception {
		Path state = this.temp.resolve("forking-exec-state");
		InitLauncher launcher = TestRuntimes.forkingLauncher(state);
		this.runtime = new ContainerRuntime(state, launcher);
		assertExecJoinsThePidNamespaceAndFilesystem();
		// the container's init and the exec's, both copies of the zygote
		assertThat(launcher.forkedInits()).isEqualTo(2);
		// and a container with no pid namespace of its own: its init is born in ours
		Result host = run(List.of("sh", "-c", "[ $$ -ne 1 ] && echo host"), (spec) -> TestBundles
			.child(spec, "linux")
			.put("namespaces", List.of(Json.obj("type", "mount"), Json.obj("type", "uts"))));
		assertThat(host.stdout()).isEqualTo("host\n");
		assertThat(launcher.forkedInits()).isEqualTo(3);
	}

	private void assertExecJoinsThePidNamespaceAndFilesystem() throws IOException {
		String id = createAndStart(List.of("sh", "-c", "echo marker > /tmp/marker; sleep 1000"), (spec) -> {
		}, Stdio.inherit());
		int[] stdout = Kernel.pipe();
		String processJson = Json.write(Json.obj("args",
				// then a sleep with stdout closed, long enough to be seen from here
				List.of("sh", "-c", "cat /tmp/marker; cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname; exec sleep 1000 >&-"),
				"cwd", "/",
				"env", List.of("PATH=/bin"), "user", Json.obj("uid", 0, "gid", 0)));
		waitForFile(id, "/tmp/marker");
		int pid = this.runtime.exec(id, dev.berth.runtime.spec.RuntimeSpec.Process.parse(processJson), processJson,
				new Stdio(new int[] { 0, stdout[1], 2 }, -1));
		Kernel.close(stdout[1]);
		String output = Kernel.readToEndUtf8(stdout[0], 1 << 20);
		Kernel.close(stdout[0]);
		List<String> cgroups;
		try {
			cgroups = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
		}
		finally {
			// reaped here: the container's pid namespace ends only once its every process is
			Kernel.kill(pid, Kernel.SIGKILL);
			assertThat(Kernel.exitCode(Kernel.waitpid(pid, 0)[1])).isEqualTo(128 + Kernel.SIGKILL);
		}
		// in every one of the container's cgroups
		assertThat(cgroups).isNotEmpty().allSatisfy((line) -> assertThat(line).endsWith(":/berth/" + id));
		// the shell exec'd its last command: pid 1 of the container is sleep
		assertThat(output).isEqualTo("marker\nsleep 1000 \nberth\n");
	}

	@Test
	void anExecsWorkingDirectoryMustExistWhereAContainersIsCreated() throws IOException {
		Result created = run(List.of("pwd"), (spec) -> TestBundles.child(spec, "process").put("cwd", "/made/here"));
		assertThat(created.stdout()).isEqualTo("/made/here\n");
		String id = createAndStart(List.of("sleep", "1000"), (spec) -> {
		}, Stdio.inherit());
		String processJson = Json.write(Json.obj("args", List.of("true"), "cwd", "/not/there", "env",
				List.of("PATH=/bin"), "user", Json.obj("uid", 0, "gid", 0)));
		assertThatThrownBy(() -> this.runtime.exec(id, dev.berth.runtime.spec.RuntimeSpec.Process.parse(processJson),
				processJson, Stdio.inherit()))
			.hasMessageContaining("chdir to cwd (\"/not/there\") set in config.json failed: no such file or directory");
		// the failed exec's init was killed, and was our child: the container's pid namespace can end only once
		// it is reaped, which the shim's reaper does; here the test does
		int containerInit = this.runtime.load(id).pid();
		for (int child : childrenOfThisProcess()) {
			if (child != containerInit) {
				Kernel.waitpid(child, 0);
			}
		}
	}

	private static List<Integer> childrenOfThisProcess() throws IOException {
		List<Integer> children = new ArrayList<>();
		try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
			for (Path task : tasks.toList()) {
				for (String pid : Files.readString(task.resolve("children")).trim().split("\\s+")) {
					if (!pid.isEmpty()) {
						children.add(Integer.parseInt(pid));
					}
				}
			}
		}
		return children;
	}

	@Test
	void pauseFreezesAndResumeThaws() throws IOException {
		String id = createAndStart(List.of("sleep", "1000"), (spec) -> {
		}, Stdio.inherit());
		this.runtime.pause(id);
		assertThat(this.runtime.status(id)).isEqualTo(Status.PAUSED);
		this.runtime.resume(id);
		assertThat(this.runtime.status(id)).isEqualTo(Status.RUNNING);
	}

	@Test
	void seccompProfileDeniesWithItsErrno() throws IOException {
		Result result = run(List.of("sh", "-c", "mkdir /tmp/denied || echo denied"), (spec) -> {
			TestBundles.child(spec, "linux").put("seccomp", Json.obj("defaultAction", "SCMP_ACT_ALLOW", "syscalls",
					List.of(Json.obj("names", List.of("mkdir", "mkdirat"), "action", "SCMP_ACT_ERRNO", "errnoRet", 1))));
		});
		assertThat(result.stdout()).isEqualTo("denied\n");
		assertThat(result.stderr()).contains("Operation not permitted");
	}

	@Test
	void seccompProgramCompiledOnceFiltersEveryContainerAndExecWithTheProfile() throws IOException {
		Consumer<Map<String, Object>> denyMkdir = (spec) -> TestBundles.child(spec, "linux")
			.put("seccomp", Json.obj("defaultAction", "SCMP_ACT_ALLOW", "syscalls",
					List.of(Json.obj("names", List.of("mkdir", "mkdirat"), "action", "SCMP_ACT_ERRNO", "errnoRet", 1))));
		// the second container gets the program the first compiled
		for (int i = 0; i < 2; i++) {
			Result result = run(List.of("sh", "-c", "mkdir /tmp/denied || echo denied"), denyMkdir);
			assertThat(result.stdout()).isEqualTo("denied\n");
			assertThat(result.stderr()).contains("Operation not permitted");
		}
		String id = createAndStart(List.of("sleep", "1000"), denyMkdir, Stdio.inherit());
		int[] output = Kernel.pipe();
		String processJson = Json.write(Json.obj("args", List.of("sh", "-c", "mkdir /tmp/denied 2>&1 || echo denied"),
				"cwd", "/", "env", List.of("PATH=/bin"), "user", Json.obj("uid", 0, "gid", 0)));
		int pid = this.runtime.exec(id, dev.berth.runtime.spec.RuntimeSpec.Process.parse(processJson), processJson,
				new Stdio(new int[] { 0, output[1], output[1] }, -1));
		Kernel.close(output[1]);
		String execOutput = Kernel.readToEndUtf8(output[0], 1 << 20);
		Kernel.close(output[0]);
		Kernel.waitpid(pid, 0);
		assertThat(execOutput).contains("Operation not permitted").endsWith("denied\n");
		// a container without a profile is not filtered by the one kept compiled
		Result unfiltered = run(List.of("sh", "-c", "mkdir /tmp/made && echo made"), (spec) -> {
		});
		assertThat(unfiltered.stdout()).isEqualTo("made\n");
	}

	@Test
	void userGroupsRlimitsAndReadonlyRoot() throws IOException {
		Result result = run(List.of("sh", "-c", "id; ulimit -n; touch /x 2>/dev/null || echo ro"), (spec) -> {
			Map<String, Object> process = TestBundles.child(spec, "process");
			process.put("user", Json.obj("uid", 65534, "gid", 65534, "additionalGids", List.of(5)));
			process.put("rlimits", List.of(Json.obj("type", "RLIMIT_NOFILE", "hard", 512, "soft", 256)));
			spec.put("root", Json.obj("path", "rootfs", "readonly", true));
		});
		assertThat(result.stdout()).isEqualTo("uid=65534(nobody) gid=65534(nogroup) groups=5(tty)\n256\nro\n");
	}

	@Test
	void deleteLeavesNothingBehind() throws IOException {
		String id = createAndStart(List.of("sleep", "1000"), (spec) -> {
		}, Stdio.inherit());
		ContainerState state = this.runtime.load(id);
		CgroupManager cgroup = this.runtime.cgroup(id);
		assertThat(cgroup.exists()).isTrue();
		assertThatThrownBy(() -> this.runtime.delete(id, false)).isInstanceOf(ContainerException.class)
			.hasMessageContaining("not stopped: running");
		this.runtime.kill(id, Kernel.SIGKILL, false);
		Kernel.waitpid(state.pid(), 0);
		this.runtime.delete(id, false);
		this.created.remove(id);
		assertThat(cgroup.exists()).isFalse();
		assertThat(Files.exists(this.runtime.root().resolve(id))).isFalse();
		assertThat(ProcessInfo.isAlive(state.pid(), state.pidStartTime())).isFalse();
		assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(state.rootfs());
	}

	@Test
	void badInputIsRefusedWithTheFieldAndLeavesNothing() throws IOException {
		Path bundle = TestBundles.busybox(this.temp.resolve("bad"), List.of("true"));
		Map<String, Object> spec = TestBundles.spec(List.of("true"));
		TestBundles.child(spec, "process").put("capabilities", Json.obj("bounding", List.of("CAP_TELEPORT")));
		TestBundles.writeSpec(bundle, spec);
		assertThatThrownBy(() -> this.runtime.create("bad", bundle, Stdio.inherit()))
			.hasMessageContaining("process.capabilities.bounding: unknown capability \"CAP_TELEPORT\"");

		spec = TestBundles.spec(List.of("true"));
		TestBundles.child(spec, "process").put("user", Json.obj("uid", -1, "gid", 0));
		TestBundles.writeSpec(bundle, spec);
		assertThatThrownBy(() -> this.runtime.create("bad", bundle, Stdio.inherit()))
			.hasMessageContaining("process.user.uid");

		spec = TestBundles.spec(List.of("true"));
		spec.put("root", Json.obj("path", "missing"));
		TestBundles.writeSpec(bundle, spec);
		assertThatThrownBy(() -> this.runtime.create("bad", bundle, Stdio.inherit()))
			.hasMessageContaining("root.path").hasMessageContaining("does not exist");

		Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\": \"1.2.0\", \"root\": ");
		assertThatThrownBy(() -> this.runtime.create("bad", bundle, Stdio.inherit()))
			.isInstanceOf(SpecException.class).hasMessageContaining("malformed JSON");

		spec = TestBundles.spec(List.of("no-such-program"));
		TestBundles.writeSpec(bundle, spec);
		assertThatThrownBy(() -> this.runtime.create("bad", bundle, Stdio.inherit()))
			.hasMessageContaining("executable file not found");

		assertThat(this.runtime.list()).isEmpty();
		assertThat(CgroupManager.create("/berth/bad").exists()).isFalse();
	}

	@Test
	void duplicateIdAndStartOfARunningContainerAreRefused() throws IOException {
		String id = createAndStart(List.of("sleep", "1000"), (spec) -> {
		}, Stdio.inherit());
		Path bundle = this.runtime.load(id).bundle().transform(Path::of);
		assertThatThrownBy(() -> this.runtime.create(id, bundle, Stdio.inherit()))
			.hasMessage("container with id exists: " + id);
		assertThatThrownBy(() -> this.runtime.start(id)).hasMessage("cannot start an already running container");
		assertThat(this.runtime.status(id)).isEqualTo(Status.RUNNING);
	}

	private Result run(List<String> args, Consumer<Map<String, Object>> customizer) throws IOException {
		int[] stdout = Kernel.pipe();
		int[] stderr = Kernel.pipe();
		String id = createAndStart(args, customizer, new Stdio(new int[] { 0, stdout[1], stderr[1] }, -1));
		Kernel.close(stdout[1]);
		Kernel.close(stderr[1]);
		String out = Kernel.readToEndUtf8(stdout[0], 1 << 20);
		String err = Kernel.readToEndUtf8(stderr[0], 1 << 20);
		Kernel.close(stdout[0]);
		Kernel.close(stderr[0]);
		int code = Kernel.exitCode(Kernel.waitpid(this.runtime.load(id).pid(), 0)[1]);
		this.runtime.delete(id, false);
		this.created.remove(id);
		return new Result(code, out, err);
	}

	private String createAndStart(List<String> args, Consumer<Map<String, Object>> customizer, Stdio stdio)
			throws IOException {
		String id = "t-" + UUID.randomUUID().toString().substring(0, 8);
		Path bundle = TestBundles.busybox(this.temp.resolve(id), args);
		Map<String, Object> spec = TestBundles.spec(args);
		customizer.accept(spec);
		TestBundles.writeSpec(bundle, spec);
		this.runtime.create(id, bundle, stdio);
		this.created.add(id);
		assertThat(this.runtime.status(id)).isEqualTo(Status.CREATED);
		this.runtime.start(id);
		return id;
	}

	private void waitForFile(String id, String path) {
		Path file = Path.of(this.runtime.load(id).rootfs() + path);
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (!Files.exists(file) && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
	}

	private static Map<String, Object> resources(Map<String, Object> spec) {
		Map<String, Object> linux = TestBundles.child(spec, "linux");
		Map<String, Object> resources = linux.containsKey("resources") ? TestBundles.child(linux, "resources")
				: new java.util.LinkedHashMap<>();
		linux.put("resources", resources);
		return resources;
	}

	@SuppressWarnings("unchecked")
	private static void withoutNamespace(Map<String, Object> spec, String type) {
		Map<String, Object> linux = TestBundles.child(spec, "linux");
		List<Object> namespaces = new ArrayList<>((List<Object>) linux.get("namespaces"));
		namespaces.removeIf((ns) -> type.equals(((Map<String, Object>) ns).get("type")));
		linux.put("namespaces", namespaces);
	}

	record Result(int exitCode, String stdout, String stderr) {
	}

}
