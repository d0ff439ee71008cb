package dev.berth.gateway.api;

import org.springframework.http.HttpStatus;

/** A JSON body over the gateway's limit: read no further than the limit, so a client cannot exhaust the heap. */
public class PayloadTooLargeException extends ApiException {

	public PayloadTooLargeException(long limit) {
		super(HttpStatus.CONTENT_TOO_LARGE, "request body is larger than " + limit + " bytes");
	}

}
