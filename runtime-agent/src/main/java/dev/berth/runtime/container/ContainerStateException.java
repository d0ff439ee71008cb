package dev.berth.runtime.container;

/**
 * An operation the container's current state does not allow: an id in use, a start of a running
 * container, a delete of one still running. Callers answer it as a conflict, not as bad input.
 */
public class ContainerStateException extends ContainerException {

	public ContainerStateException(String message) {
		super(message);
	}

}
