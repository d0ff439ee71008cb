package dev.berth.lifecycle;

/**
 * What went wrong, in the few kinds a caller can act on. The gRPC layer maps each kind to one
 * status (NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT) and the gateway maps those to Docker's
 * 404, 409 and 400, so the message is Docker's own wording and travels unchanged.
 */
public abstract sealed class LifecycleException extends RuntimeException
		permits NotFoundException, ConflictException, InvalidArgumentException {

	LifecycleException(String message) {
		super(message);
	}

}
