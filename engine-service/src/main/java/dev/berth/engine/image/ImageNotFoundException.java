package dev.berth.engine.image;

/** {@code No such image: busybox:latest}, Docker's 404 wording. */
public class ImageNotFoundException extends RuntimeException {

	public ImageNotFoundException(String nameOrId) {
		super("No such image: " + nameOrId);
	}

}
