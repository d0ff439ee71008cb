package dev.berth.runtime.shim.io;

/** A descriptor an {@link IoLoop} reads for an {@link OutputSink}. */
public interface Registration {

	/**
	 * Stops reading and closes the descriptor; the sink's {@link OutputSink#onEnd()} follows on
	 * the loop thread (at once when called there). Does nothing once the stream has ended.
	 */
	void cancel();

}
