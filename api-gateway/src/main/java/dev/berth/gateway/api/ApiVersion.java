package dev.berth.gateway.api;

/**
 * The Docker Engine API versions the gateway speaks: a client may ask for any version from {@link #MINIMUM} to
 * {@link #CURRENT} by a {@code /v1.xx} path prefix; a request without one gets {@link #CURRENT}.
 */
public final class ApiVersion {

	/** The API of Docker 28, whose CLI is the reference client. */
	public static final String CURRENT = "1.50";

	/** The oldest API dockerd 28 still serves. */
	public static final String MINIMUM = "1.24";

	/** The request attribute holding the version a request asked for. */
	public static final String ATTRIBUTE = "dev.berth.gateway.apiVersion";

	private ApiVersion() {
	}

	/** Whether {@code version} is older than {@code than}: for fields that came or went with a version. */
	public static boolean isOlder(String version, String than) {
		return compare(version, than) < 0;
	}

	/** Compares two {@code major.minor} versions numerically: 1.9 is older than 1.24. */
	static int compare(String a, String b) {
		String[] x = a.split("\\.", 2);
		String[] y = b.split("\\.", 2);
		int major = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
		return (major != 0) ? major : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
	}

}
