package dev.berth.lifecycle;

/** Docker's 409: a name in use, a running container removed without force. */
public final class ConflictException extends LifecycleException {

	public ConflictException(String message) {
		super(message);
	}

}
