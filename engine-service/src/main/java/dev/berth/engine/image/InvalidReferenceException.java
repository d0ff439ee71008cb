package dev.berth.engine.image;

/** A reference {@code docker pull} would refuse; the message is Docker's wording for it. */
public class InvalidReferenceException extends IllegalArgumentException {

	public InvalidReferenceException(String message) {
		super(message);
	}

}
