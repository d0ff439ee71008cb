package dev.berth.engine.content;

/** A digest string that is not {@code sha256:<64 lowercase hex digits>}. */
public class InvalidDigestException extends IllegalArgumentException {

	public InvalidDigestException(String message) {
		super(message);
	}

}
