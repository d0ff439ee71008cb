package dev.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.UnixSockets;

/**
 * How the launcher tells a forked init that will never report (asleep on a lock nobody will
 * release) from one that is slow, with real processes.
 */
class StuckInitTests {

	@Test
	void aProcessAsleepOnALockItNeverGetsIsStuck() throws Exception {
		// one thread, waiting for a lock it holds itself: a futex wait without end
		Process locked = new ProcessBuilder("python3", "-c",
				"import threading; lock = threading.Lock(); lock.acquire(); lock.acquire()").start();
		int[] control = UnixSockets.pair();
		try {
			assertThat(InitLauncher.stuck((int) locked.pid(), control[0])).isTrue();
		}
		finally {
			locked.destroyForcibly().waitFor();
			Kernel.close(control[0]);
			Kernel.close(control[1]);
		}
	}

	@Test
	void aProcessThatReportsIsNot() throws Exception {
		Process sleeping = new ProcessBuilder("sleep", "30").start();
		int[] control = UnixSockets.pair();
		try {
			// asleep, but not on a lock: the launcher keeps waiting, and the report ends the wait
			Thread.ofPlatform().start(() -> {
				try {
					Thread.sleep(1000);
				}
				catch (InterruptedException ex) {
					return;
				}
				Kernel.writeFully(control[1], "ready\n".getBytes(StandardCharsets.UTF_8));
			});
			assertThat(InitLauncher.stuck((int) sleeping.pid(), control[0])).isFalse();
		}
		finally {
			sleeping.destroyForcibly().waitFor();
			Kernel.close(control[0]);
			Kernel.close(control[1]);
		}
	}

}
