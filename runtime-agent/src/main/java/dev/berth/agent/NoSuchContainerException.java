package dev.berth.agent;

/** A container this node knows nothing of; the message is Docker's. */
public class NoSuchContainerException extends RuntimeException {

	public NoSuchContainerException(String id) {
		super("No such container: " + id);
	}

}
