package dev.berth.runtime.init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.berth.runtime.seccomp.SeccompProgram;

import static org.assertj.core.api.Assertions.assertThat;

/** Root on the real kernel: a rehearsal plays a whole set-up and the host sees none of it. */
@Tag("privileged")
class RehearsalTest {

	@Test
	void aRehearsalRunsTheWholeSetUpAndLeavesTheHostAsItWas() throws Exception {
		String processMounts = read("/proc/self/mountinfo");
		String threadMounts = read("/proc/thread-self/mountinfo");
		String hostname = read("/proc/sys/kernel/hostname");
		String credentials = credentials();
		List<String> tmp = tmpEntries();

		assertThat(Rehearsal.run(SeccompProgram.of(Training.ALLOW_ALL, 0))).isTrue();

		assertThat(read("/proc/self/mountinfo")).isEqualTo(processMounts);
		assertThat(read("/proc/thread-self/mountinfo")).isEqualTo(threadMounts);
		assertThat(read("/proc/sys/kernel/hostname")).isEqualTo(hostname);
		assertThat(credentials()).isEqualTo(credentials);
		// what the rehearsal writes in its scratch /tmp (files/, rootfs/) never reaches the host's, where
		// other processes may come and go meanwhile (the test runner made its own directory there once)
		List<String> added = new ArrayList<>(tmpEntries());
		added.removeAll(tmp);
		assertThat(added).doesNotContain("/tmp/files", "/tmp/rootfs");
	}

	/** The calling thread's identity, capabilities and no_new_privs: a rehearsal changes only its own thread's. */
	private static String credentials() throws IOException {
		return Files.readAllLines(Path.of("/proc/thread-self/status"))
			.stream()
			.filter((line) -> line.matches("(Uid|Gid|Groups|Cap\\w+|NoNewPrivs|Seccomp):.*"))
			.collect(Collectors.joining("\n"));
	}

	private static List<String> tmpEntries() throws IOException {
		try (Stream<Path> entries = Files.list(Path.of("/tmp"))) {
			return entries.map(Path::toString).sorted().toList();
		}
	}

	private static String read(String path) throws IOException {
		return Files.readString(Path.of(path));
	}

}
