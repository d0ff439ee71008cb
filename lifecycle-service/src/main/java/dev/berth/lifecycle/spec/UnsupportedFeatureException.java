package dev.berth.lifecycle.spec;

/**
 * A valid Docker request this engine cannot serve yet (named volumes, joining another
 * container's namespaces, an init process, user-defined networks). Kept apart from
 * {@link dev.berth.lifecycle.InvalidArgumentException}, which says the request can never work:
 * the caller decides how to answer (Docker has no status for "not yet"), and the message names
 * what is missing so a user knows which option to drop.
 */
public final class UnsupportedFeatureException extends RuntimeException {

	private final String feature;

	UnsupportedFeatureException(String feature, String message) {
		super(message);
		this.feature = feature;
	}

	/**
	 * A short stable name of what is missing: {@code volumes}, {@code container-namespaces},
	 * {@code init} or {@code networks}.
	 */
	public String feature() {
		return this.feature;
	}

}
