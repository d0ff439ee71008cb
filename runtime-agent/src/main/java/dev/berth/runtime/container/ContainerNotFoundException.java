package dev.berth.runtime.container;

/** No container with this id exists in the runtime's state directory. */
public class ContainerNotFoundException extends ContainerException {

	public ContainerNotFoundException(String id) {
		super("container does not exist: " + id);
	}

}
