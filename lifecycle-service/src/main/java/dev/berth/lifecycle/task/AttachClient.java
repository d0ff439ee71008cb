package dev.berth.lifecycle.task;

import dev.berth.contracts.lifecycle.v1.Stream;

/** The client's end of an attach or exec session: where output goes, and how the session ends. */
public interface AttachClient {

	void output(Stream stream, byte[] data);

	/** The process exited (its output is drained), or the client detached. */
	void end();

	void fail(Throwable error);

}
