package dev.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * How the launcher tells a forked init stuck on a lock from one at work: {@code /proc/<pid>/syscall}
 * of a process asleep in futex(2), against one asleep in another call.
 */
class FutexWaitTests {

	@Test
	void aProcessWaitingForAThreadSleepsInFutex() {
		// the java launcher's first thread waits in pthread_join for the JVM's main thread: a futex
		assertThat(Kernel.waitsOnFutex((int) ProcessHandle.current().pid())).isTrue();
	}

	@Test
	void aProcessAsleepInAnotherCallDoesNot() throws Exception {
		Process sleep = new ProcessBuilder("sleep", "30").start();
		try {
			Path stat = Path.of("/proc", Long.toString(sleep.pid()), "stat");
			while (!Files.readString(stat).contains(") S ")) {
				Thread.sleep(5); // until it sleeps in clock_nanosleep
			}
			assertThat(Kernel.waitsOnFutex((int) sleep.pid())).isFalse();
		}
		finally {
			sleep.destroyForcibly().waitFor();
		}
		assertThat(Kernel.waitsOnFutex((int) sleep.pid())).as("a process that is gone").isFalse();
	}

}
