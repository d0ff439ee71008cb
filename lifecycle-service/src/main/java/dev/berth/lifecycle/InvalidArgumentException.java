package dev.berth.lifecycle;

/** Docker's 400: a request that can never succeed as written. */
public final class InvalidArgumentException extends LifecycleException {

	public InvalidArgumentException(String message) {
		super(message);
	}

}
