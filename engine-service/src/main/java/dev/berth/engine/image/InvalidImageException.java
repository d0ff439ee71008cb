package dev.berth.engine.image;

/** An image whose config or layers do not agree with what its manifest promises. */
public class InvalidImageException extends RuntimeException {

	public InvalidImageException(String message) {
		super(message);
	}

}
