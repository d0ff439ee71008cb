package dev.berth.runtime.spec;

/** A runtime spec (or a document of the runtime) that cannot be used; the message names the field. */
public class SpecException extends RuntimeException {

	public SpecException(String message) {
		super(message);
	}

}
