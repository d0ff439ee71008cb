package dev.berth.runtime.container;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.berth.runtime.cgroup.CgroupEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link InitLauncher#forkRequest}: what the zygote is asked, and that a request it could not
 * read at once is never made.
 */
class ForkRequestTests {

	@Test
	void namesThePidNamespaceThenEachTasksFileAfterANul() {
		CgroupEntry entry = new CgroupEntry(Path.of("/sys/fs/cgroup/unified/berth/c1"),
				List.of(Path.of("/sys/fs/cgroup/pids/berth/c1/tasks"), Path.of("/sys/fs/cgroup/memory/berth/c1/tasks")));
		assertThat(text(InitLauncher.forkRequest(InitLauncher.PidNamespace.FRESH, entry)))
			.isEqualTo("n\0/sys/fs/cgroup/pids/berth/c1/tasks\0/sys/fs/cgroup/memory/berth/c1/tasks");
		assertThat(text(InitLauncher.forkRequest(InitLauncher.PidNamespace.join("/proc/42/ns/pid"), entry)))
			.startsWith("j/proc/42/ns/pid\0/sys/fs/cgroup/pids/");
		assertThat(text(InitLauncher.forkRequest(InitLauncher.PidNamespace.HOST, new CgroupEntry(null, List.of()))))
			.isEqualTo("h");
	}

	@Test
	void aRequestLongerThanTheZygoteReadsAtOnceIsNotMade() {
		List<Path> tasks = new ArrayList<>();
		for (String hierarchy : List.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
				"systemd")) {
			tasks.add(Path.of("/sys/fs/cgroup/" + hierarchy + "/" + "deep/".repeat(400) + "tasks"));
		}
		assertThat(InitLauncher.forkRequest(InitLauncher.PidNamespace.FRESH, new CgroupEntry(null, tasks))).isNull();
		assertThat(InitLauncher.forkRequest(InitLauncher.PidNamespace.FRESH, new CgroupEntry(null, tasks.subList(0, 1))))
			.isNotNull();
	}

	private static String text(byte[] request) {
		return new String(request, StandardCharsets.UTF_8);
	}

}
