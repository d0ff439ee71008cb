package dev.berth.engine.image;

/** An image operation refused because of other images or containers: Docker's 409. */
public class ImageConflictException extends RuntimeException {

	public ImageConflictException(String message) {
		super(message);
	}

}
