package dev.berth.runtime.container;

/** A container operation that cannot be done; the message is for the user. */
public class ContainerException extends RuntimeException {

	public ContainerException(String message) {
		super(message);
	}

}
