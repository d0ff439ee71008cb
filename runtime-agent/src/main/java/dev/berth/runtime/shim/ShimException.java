package dev.berth.runtime.shim;

/** A request the shim refuses, with the kind of refusal the agent maps to a gRPC status. */
public class ShimException extends RuntimeException {

	public enum Kind {

		NOT_FOUND, INVALID, CONFLICT, EXISTS, FAILED

	}

	private final Kind kind;

	public ShimException(Kind kind, String message) {
		super(message);
		this.kind = kind;
	}

	public Kind kind() {
		return this.kind;
	}

}
