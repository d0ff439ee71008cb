package dev.berth.lifecycle;

/** Docker's 404: {@code No such container: x}. */
public final class NotFoundException extends LifecycleException {

	public NotFoundException(String message) {
		super(message);
	}

}
