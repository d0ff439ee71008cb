package dev.berth.agent.user;

/** A User or GroupAdd that the container's own files cannot satisfy; the message is Docker's. */
public class UserLookupException extends IllegalArgumentException {

	UserLookupException(String message) {
		super(message);
	}

}
