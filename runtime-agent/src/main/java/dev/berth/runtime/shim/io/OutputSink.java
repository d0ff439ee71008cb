package dev.berth.runtime.shim.io;

/**
 * Where a container's output goes: the json-file log, an attached client, or both. Called on the
 * {@link IoLoop} thread, which serves every container of the machine, so an implementation must
 * never block: it copies, buffers with a bound, or drops.
 */
public interface OutputSink {

	/**
	 * Bytes read from the stream, in order. {@code data} is the loop's shared read buffer: only
	 * {@code data[0..length)} is meaningful, and only until this call returns.
	 */
	void onData(byte[] data, int length);

	/**
	 * The stream has ended (end of file, hang-up, a terminal's EIO, a read error, a cancel, or
	 * the loop closing): called exactly once, after the last {@link #onData}, and the descriptor
	 * is already closed.
	 */
	void onEnd();

}
