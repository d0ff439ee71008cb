package dev.berth.engine.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.berth.engine.content.Digest;

/**
 * Requests to one repository on one {@link Endpoint}, with one set of credentials and scopes:
 * the Distribution API calls a pull or push makes. Credentials are attached up front once the
 * endpoint has challenged, a 401 is answered once, and redirects (blob storage on another host)
 * are followed without the registry's credentials.
 */
final class RegistrySession {

	private static final int MAX_REDIRECTS = 5;

	/** Until response headers arrive; bodies stream for as long as they keep coming. */
	private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(60);

	private final RegistryTransport transport;

	private final Authenticator authenticator;

	private final Endpoint endpoint;

	private final String repository;

	private final RegistryCredentials credentials;

	private final List<String> scopes;

	RegistrySession(RegistryTransport transport, Authenticator authenticator, Endpoint endpoint, String repository,
			RegistryCredentials credentials, List<String> scopes) {
		this.transport = transport;
		this.authenticator = authenticator;
		this.endpoint = endpoint;
		this.repository = repository;
		this.credentials = credentials;
		this.scopes = scopes;
	}

	Endpoint endpoint() {
		return this.endpoint;
	}

	String repository() {
		return this.repository;
	}

	/** A manifest or index by tag or digest, body capped, its digest computed from the bytes. */
	FetchedManifest manifest(String reference) {
		URI uri = this.endpoint.resolve("/v2/" + this.repository + "/manifests/" + reference);
		HttpResponse<InputStream> response = send("GET", uri, Map.of("Accept", MediaTypes.MANIFEST_ACCEPT),
				HttpRequest.BodyPublishers.noBody());
		byte[] body = readCapped(response, Manifests.MAX_MANIFEST_BYTES, "manifest " + reference);
		if (response.statusCode() != 200) {
			throw failure(response.statusCode(), body, "manifest for " + reference);
		}
		String contentType = response.headers().firstValue("Content-Type").orElse(null);
		return new FetchedManifest(body, contentType, Digest.of(body));
	}

	/**
	 * Opens a blob, from {@code offset} when resuming. The caller checks {@link BlobStream#resumed()}:
	 * a registry may ignore the Range and send the whole blob.
	 */
	BlobStream blob(Digest digest, long offset) {
		URI uri = this.endpoint.resolve("/v2/" + this.repository + "/blobs/" + digest);
		Map<String, String> headers = (offset > 0) ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
		HttpResponse<InputStream> response = send("GET", uri, headers, HttpRequest.BodyPublishers.noBody());
		int status = response.statusCode();
		if (status == 200 || (status == 206 && offset > 0)) {
			return new BlobStream(response.body(), status == 206);
		}
		if (status == 416 && offset > 0) {
			// the kept prefix is not a prefix of this blob: start over
			closeQuietly(response.body());
			return blob(digest, 0);
		}
		byte[] body = readCapped(response, 64 * 1024, "blob " + digest);
		throw failure(status, body, "blob " + digest);
	}

	/** Sends a request, answering one auth challenge and following redirects. */
	HttpResponse<InputStream> send(String method, URI uri, Map<String, String> headers,
			HttpRequest.BodyPublisher body) {
		String authorization = this.authenticator.cachedAuthorization(this.endpoint, this.scopes, this.credentials);
		HttpResponse<InputStream> response = exchange(method, uri, headers, body, authorization);
		if (response.statusCode() == 401) {
			String challenge = response.headers().firstValue("WWW-Authenticate").orElse(null);
			closeQuietly(response.body());
			if (challenge == null) {
				throw new RegistryException(RegistryException.Kind.UNAUTHORIZED,
						"unauthorized: " + this.endpoint.host() + " refused the request without a challenge");
			}
			authorization = this.authenticator.answer(this.endpoint, challenge, this.scopes, this.credentials);
			response = exchange(method, uri, headers, body, authorization);
		}
		for (int redirects = 0; isRedirect(response.statusCode()); redirects++) {
			String location = response.headers().firstValue("Location").orElse(null);
			closeQuietly(response.body());
			if (location == null || redirects >= MAX_REDIRECTS) {
				throw new RegistryException(RegistryException.Kind.UNAVAILABLE,
						"too many or broken redirects from " + this.endpoint.host() + " for " + uri.getPath());
			}
			URI target = uri.resolve(location);
			boolean sameHost = target.getAuthority() != null && target.getAuthority().equals(uri.getAuthority());
			// blob storage behind a redirect authenticates by its signed URL, never by our token
			uri = target;
			response = exchange(method, target, headers, body, sameHost ? authorization : null);
		}
		return response;
	}

	private HttpResponse<InputStream> exchange(String method, URI uri, Map<String, String> headers,
			HttpRequest.BodyPublisher body, String authorization) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(HEADER_TIMEOUT).method(method, body);
		headers.forEach(request::header);
		request.header("User-Agent", "berth/0.1");
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		boolean toEndpoint = uri.getAuthority() != null && uri.getAuthority().equals(this.endpoint.base().getAuthority());
		try {
			return (toEndpoint ? this.transport.client(this.endpoint) : this.transport.verifying()).send(request.build(),
					HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (IOException ex) {
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE, describe(method, uri, ex), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE, method + " " + uri + ": interrupted", ex);
		}
	}

	/** Maps a failed response to Docker's wording for it. */
	RegistryException failure(int status, byte[] body, String what) {
		String detail = RegistryErrors.describe(body, "HTTP " + status);
		return switch (status) {
			case 404 -> new RegistryException(RegistryException.Kind.NOT_FOUND, what + " not found: " + detail);
			case 401, 403 -> new RegistryException(RegistryException.Kind.UNAUTHORIZED,
					"pull access denied for " + this.repository
							+ ", repository does not exist or may require 'docker login': " + detail);
			case 429, 500, 502, 503, 504 -> new RegistryException(RegistryException.Kind.UNAVAILABLE,
					this.endpoint.host() + " answered " + status + " for " + what + ": " + detail);
			default -> new RegistryException(RegistryException.Kind.INVALID,
					this.endpoint.host() + " answered " + status + " for " + what + ": " + detail);
		};
	}

	static byte[] readCapped(HttpResponse<InputStream> response, int max, String what) {
		try (InputStream in = response.body()) {
			byte[] body = in.readNBytes(max + 1);
			if (body.length > max) {
				throw new RegistryException(RegistryException.Kind.INVALID, what + " is larger than " + max + " bytes");
			}
			return body;
		}
		catch (IOException ex) {
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "reading " + what + ": " + ex.getMessage(), ex);
		}
	}

	static String describe(String method, URI uri, IOException ex) {
		String reason = (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
		String verb = method.charAt(0) + method.substring(1).toLowerCase(java.util.Locale.ROOT);
		return verb + " \"" + uri + "\": " + reason;
	}

	private static boolean isRedirect(int status) {
		return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
	}

	static void closeQuietly(InputStream in) {
		try {
			in.close();
		}
		catch (IOException ignored) {
			// the response is abandoned either way
		}
	}

	/** A manifest's bytes as served, with the digest they hash to. */
	record FetchedManifest(byte[] body, String contentType, Digest digest) {
	}

	/** A blob body, and whether it starts at the requested offset (206) or at zero. */
	record BlobStream(InputStream body, boolean resumed) {
	}

}
