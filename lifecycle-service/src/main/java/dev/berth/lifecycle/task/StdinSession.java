package dev.berth.lifecycle.task;

/** A client's live session on a process: stdin towards it, and the client's way out. */
public interface StdinSession {

	void stdin(byte[] data);

	/** The client has no more input (its half-close). */
	void closeStdin();

	/** The client went away: the process goes on, this session ends. */
	void cancel();

}
