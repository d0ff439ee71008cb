package dev.berth.gateway.api;

import org.springframework.http.HttpStatus;

/** A request the gateway refuses before asking a service, with the status dockerd answers for the same fault. */
public abstract class ApiException extends RuntimeException {

	private final HttpStatus status;

	protected ApiException(HttpStatus status, String message) {
		super(message);
		this.status = status;
	}

	HttpStatus status() {
		return this.status;
	}

}
