package dev.berth.engine.content;

/** Content that cannot be stored or read: a digest or size mismatch, a missing blob, an I/O failure. */
public class ContentException extends RuntimeException {

	public ContentException(String message) {
		super(message);
	}

	public ContentException(String message, Throwable cause) {
		super(message, cause);
	}

}
