package dev.berth.gateway.api;

import org.springframework.http.HttpStatus;

/** A malformed query parameter or body: dockerd's errdefs.InvalidParameter, 400. */
public class InvalidParameterException extends ApiException {

	public InvalidParameterException(String message) {
		super(HttpStatus.BAD_REQUEST, message);
	}

}
