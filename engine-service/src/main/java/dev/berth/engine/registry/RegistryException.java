package dev.berth.engine.registry;

/**
 * A registry refused or failed a request. The message is Docker's wording, since users and
 * scripts read it: {@code manifest unknown: manifest unknown}, {@code unauthorized: …}.
 */
public class RegistryException extends RuntimeException {

	private final Kind kind;

	public RegistryException(Kind kind, String message) {
		super(message);
		this.kind = kind;
	}

	public RegistryException(Kind kind, String message, Throwable cause) {
		super(message, cause);
		this.kind = kind;
	}

	public Kind kind() {
		return this.kind;
	}

	/** What the caller can do about it: the gateway maps these to HTTP statuses. */
	public enum Kind {

		/** The repository, tag or blob is not in the registry. */
		NOT_FOUND,

		/** Credentials missing or refused. */
		UNAUTHORIZED,

		/** The registry sent something that is not a valid image. */
		INVALID,

		/** The registry could not be reached or failed. */
		UNAVAILABLE

	}

}
