package dev.berth.agent.snapshot;

/** A snapshot that cannot be made: a bad request, a layer that does not match, a mount refused. */
public class SnapshotException extends RuntimeException {

	public SnapshotException(String message) {
		super(message);
	}

	public SnapshotException(String message, Throwable cause) {
		super(message, cause);
	}

}
