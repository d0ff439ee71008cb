package dev.berth.agent;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.grpc.stub.ServerCallStreamObserver;

/**
 * Ties the resources a streaming call holds open (a shim connection, a log file) to the call: a
 * client that cancels closes them, so nothing waits on for a caller that is gone. gRPC takes the
 * cancel handler only before the service method returns, while the resources are opened later,
 * on another thread; this bridges the two.
 */
public final class CallCancellation {

	private final List<Closeable> open = new ArrayList<>();

	private boolean cancelled;

	private CallCancellation() {
	}

	/** Call from the service method, before it returns. */
	public static CallCancellation of(ServerCallStreamObserver<?> call) {
		CallCancellation cancellation = new CallCancellation();
		call.setOnCancelHandler(cancellation::cancel);
		return cancellation;
	}

	/** Registers what a cancel closes; closes it at once if the call is already cancelled. */
	public void opened(Closeable resource) {
		synchronized (this) {
			if (!this.cancelled) {
				this.open.add(resource);
				return;
			}
		}
		closeQuietly(resource);
	}

	/**
	 * Closes what is registered, and whatever is registered later: on the client's cancel, or
	 * when the call ends and what it opened is done with.
	 */
	public void cancel() {
		List<Closeable> resources;
		synchronized (this) {
			this.cancelled = true;
			resources = new ArrayList<>(this.open);
			this.open.clear();
		}
		resources.forEach(CallCancellation::closeQuietly);
	}

	public static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
