package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link V2Manager} on this host's real cgroup2 mount: on a hybrid host it has no resource
 * controllers, but the core of v2 (creating, joining, freezing, listing, removing) is the
 * kernel's own. Needs root. Restores the root's {@code cgroup.subtree_control}.
 */
@Tag("privileged")
class V2UnifiedPrivilegedTests {

	private final String cgroupsPath = "/berth-test/" + UUID.randomUUID().toString().substring(0, 8);

	private final List<Process> processes = new ArrayList<>();

	private Path root;

	private Set<String> enabledBefore;

	private V2Manager manager;

	@BeforeEach
	void setUp() throws IOException {
		this.root = CgroupMounts.fromMountinfo(CgroupMounts.readMountinfo()).hierarchies().get(CgroupMounts.UNIFIED);
		assertThat(this.root).as("cgroup2 mount").isNotNull();
		this.enabledBefore = V2Manager.words(Files.readString(this.root.resolve("cgroup.subtree_control")));
		this.manager = new V2Manager(CgroupPath.parse(this.cgroupsPath), this.root, CgroupFiles.SYSTEM);
	}

	@AfterEach
	void cleanUp() throws Exception {
		try {
			for (Process process : this.processes) {
				process.destroyForcibly();
				process.waitFor(10, TimeUnit.SECONDS);
			}
			this.manager.destroy();
		}
		finally {
			Path subtreeControl = this.root.resolve("cgroup.subtree_control");
			for (String controller : V2Manager.words(Files.readString(subtreeControl))) {
				if (!this.enabledBefore.contains(controller)) {
					Files.writeString(subtreeControl, "-" + controller);
				}
			}
		}
		assertThat(this.manager.path("")).doesNotExist();
		assertThat(V2Manager.words(Files.readString(this.root.resolve("cgroup.subtree_control")))).isEqualTo(this.enabledBefore);
	}

	@Test
	void joinsFreezesAndRemovesARealProcess() throws Exception {
		Process process = start("sleep", "30");
		long pid = process.pid();
		boolean parentExisted = Files.exists(this.manager.path("").getParent());
		this.manager.apply(pid);
		assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).contains("0::" + this.cgroupsPath + "\n");
		assertThat(this.manager.pids()).containsExactly(pid);
		// what the root has, the container's cgroup has
		assertThat(V2Manager.words(Files.readString(this.manager.path("").resolve("cgroup.controllers"))))
			.isEqualTo(V2Manager.words(Files.readString(this.root.resolve("cgroup.controllers"))));

		this.manager.freeze();
		assertThat(this.manager.isFrozen()).isTrue();
		assertThat(Files.readString(this.manager.path("").resolve("cgroup.events"))).contains("frozen 1\n");
		this.manager.thaw();
		assertThat(this.manager.isFrozen()).isFalse();

		CgroupStats stats = this.manager.stats();
		assertThat(stats.cpu().usageNanos()).isGreaterThanOrEqualTo(stats.cpu().userNanos());
		assertThat(stats.cpu().perCpuUsageNanos()).isEmpty();
		if (!Files.readString(this.root.resolve("cgroup.controllers")).contains("memory")) {
			assertThatExceptionOfType(CgroupException.class)
				.isThrownBy(() -> this.manager.set(new Resources(64L << 20, null, null, null, null, null, null, null,
						null, List.of())))
				.withMessage("memory.max: cannot write 67108864: No such file or directory");
			assertThat(stats.memory()).isEqualTo(CgroupStats.Memory.NONE);
			assertThat(this.manager.oomKillCount()).isZero();
		}

		process.destroyForcibly();
		process.waitFor();
		this.manager.destroy();
		assertThat(this.manager.exists()).isFalse();
		if (!parentExisted) {
			assertThat(this.manager.path("").getParent()).doesNotExist();
		}
	}

	@Test
	void destroyRemovesCgroupsTheContainerMadeAndWaitsForItsProcesses() throws Exception {
		Process first = start("sleep", "30");
		Process second = start("sleep", "30");
		this.manager.apply(first.pid());
		// a container with its own cgroup namespace may nest cgroups
		Path inner = this.manager.path("").resolve("inner");
		Files.createDirectory(inner);
		Files.writeString(inner.resolve("cgroup.procs"), Long.toString(second.pid()));
		assertThat(this.manager.pids()).containsExactly(first.pid(), second.pid());
		for (long pid : this.manager.pids()) {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
		this.manager.destroy();
		assertThat(this.manager.exists()).isFalse();
	}

	private Process start(String... command) throws IOException {
		Process process = new ProcessBuilder(command).start();
		this.processes.add(process);
		return process;
	}


}
