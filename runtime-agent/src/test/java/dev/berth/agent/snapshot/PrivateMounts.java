package dev.berth.agent.snapshot;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.LinuxSyscalls;

/** Mounts for a test that nobody else sees and that cannot outlive it. */
final class PrivateMounts {

	private PrivateMounts() {
	}

	/**
	 * Runs {@code work} on a thread of its own in a mount namespace of its own, private: whatever
	 * it mounts is seen by no other process, and goes away with the thread even if the test dies
	 * before its unmount.
	 */
	static <T> T run(Callable<T> work) throws Exception {
		CompletableFuture<T> result = new CompletableFuture<>();
		Thread thread = Thread.ofPlatform().name("private-mounts").start(() -> {
			try {
				// namespaces are per thread: this one leaves the JVM's other threads where they are
				JnaLinuxSyscalls.INSTANCE.unshare(LinuxSyscalls.CLONE_NEWNS);
				// and nothing mounted here propagates back to the host
				JnaLinuxSyscalls.INSTANCE.mount("none", "/", null, LinuxSyscalls.MS_REC | LinuxSyscalls.MS_PRIVATE, null);
				result.complete(work.call());
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		thread.join();
		try {
			return result.get();
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

}
