package dev.berth.agent.filesystem;

/** Nothing at a path of a container's filesystem; the message is Docker's. */
public class NoSuchPathException extends RuntimeException {

	public NoSuchPathException(String path, String container) {
		super("Could not find the file " + path + " in container " + container);
	}

}
