package dev.berth.agent.top;

/** {@code ps} failed or printed what {@code docker top} cannot read; the message is Docker's. */
class PsException extends RuntimeException {

	PsException(String message) {
		super(message);
	}

}
