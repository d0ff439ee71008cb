package dev.berth.gateway.e2e;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Polls for a state that real processes reach in their own time (a restart policy's next start, a health probe's
 * verdict). The deadline only stops a test that would otherwise hang: what is asserted is the state, never the time.
 */
final class Eventually {

	private static final long DEADLINE_SECONDS = 90;

	private Eventually() {
	}

	/** Returns the first value that {@code done} accepts; fails with the last one seen. */
	static <T> T poll(String what, Supplier<T> value, java.util.function.Predicate<T> done) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
		T last = value.get();
		while (!done.test(last)) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError(what + ": still " + last);
			}
			pause(200);
			last = value.get();
		}
		return last;
	}

	static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
