package dev.berth.runtime.container;

/** The id is taken by a container that exists already. */
public class ContainerExistsException extends ContainerStateException {

	public ContainerExistsException(String id) {
		super("container with id exists: " + id);
	}

}
