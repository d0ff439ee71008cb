package dev.berth.gateway.server;

/**
 * A {@code -H} host, or a TLS setting for the TCP hosts, that the gateway will not listen with: the gateway does not
 * start, and {@link HostRefusedFailureAnalyzer} prints why instead of a stack trace.
 */
class HostRefusedException extends RuntimeException {

	HostRefusedException(String message) {
		super(message);
	}

	HostRefusedException(String message, Throwable cause) {
		super(message, cause);
	}

}
