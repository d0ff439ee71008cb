package dev.berth.runtime.init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

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
		String tmp = Files.list(Path.of("/tmp")).map(Path::toString).sorted().collect(Collectors.joining("\n"));

		assertThat(Rehearsal.run(SeccompProgram.of(Training.ALLOW_ALL, 0))).isTrue();

		assertThat(read("/proc/self/mountinfo")).isEqualTo(processMounts);
		assertThat(read("/proc/thread-self/mountinfo")).isEqualTo(threadMounts);
		assertThat(read("/proc/sys/kernel/hostname")).isEqualTo(hostname);
		assertThat(credentials()).isEqualTo(credentials);
		assertThat(Files.list(Path.of("/tmp")).map(Path::toString).sorted().collect(Collectors.joining("\n")))
			.isEqualTo(tmp);
	}

	/** The calling thread's identity, capabilities and no_new_privs: a rehearsal changes only its own thread's. */
	private static String credentials() throws IOException {
		return Files.readAllLines(Path.of("/proc/thread-self/status"))
			.stream()
			.filter((line) -> line.matches("(Uid|Gid|Groups|Cap\\w+|NoNewPrivs|Seccomp):.*"))
			.collect(Collectors.joining("\n"));
	}

	private static String read(String path) throws IOException {
		return Files.readString(Path.of(path));
	}

}
