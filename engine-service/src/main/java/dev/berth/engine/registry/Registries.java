package dev.berth.engine.registry;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.image.ImageReference;

/**
 * The engine's way to registries: pulls and logins go through here, over the endpoints
 * {@link RegistryHosts} gives (mirrors first for Docker Hub, HTTP fallback for insecure ones), with
 * one token cache for all of them.
 */
public final class Registries implements AutoCloseable {

	private final RegistryHosts hosts;

	private final ContentStore store;

	private final int maxConcurrentDownloads;

	private final RegistryTransport transport = new RegistryTransport();

	private final Authenticator authenticator;

	public Registries(RegistryHosts hosts, ContentStore store, int maxConcurrentDownloads) {
		if (maxConcurrentDownloads < 1) {
			throw new IllegalArgumentException("max-concurrent-downloads must be at least 1");
		}
		this.hosts = hosts;
		this.store = store;
		this.maxConcurrentDownloads = maxConcurrentDownloads;
		this.authenticator = new Authenticator(this.transport, Clock.systemUTC());
	}

	/**
	 * Pulls an image into the content store, trying each endpoint in turn: a mirror that fails or
	 * lacks the image falls through to the next, and an insecure registry's HTTPS that cannot be
	 * reached falls back to HTTP.
	 */
	public PulledImage pull(ImageReference reference, Platform platform, RegistryCredentials credentials,
			ProgressListener progress) {
		ProgressListener serialized = serialized(progress);
		List<String> scopes = List.of("repository:" + reference.repository() + ":pull");
		RegistryException failure = null;
		for (Endpoint endpoint : this.hosts.pullEndpoints(reference.registry())) {
			RegistrySession session = new RegistrySession(this.transport, this.authenticator, endpoint,
					reference.repository(), credentials, scopes);
			try {
				return new ImagePull(session, this.store, reference, platform, this.maxConcurrentDownloads, serialized)
					.run();
			}
			catch (RegistryException ex) {
				failure = ex;
				boolean fallThrough = endpoint.mirror()
						|| (endpoint.skipTlsVerify() && ex.kind() == RegistryException.Kind.UNAVAILABLE);
				if (!fallThrough) {
					throw ex;
				}
			}
		}
		throw failure;
	}

	/**
	 * Checks credentials the way {@code docker login} does: {@code GET /v2/} on the registry,
	 * answering its challenge with them. Throws {@link RegistryException} UNAUTHORIZED when refused.
	 */
	public void login(String registry, RegistryCredentials credentials) {
		RegistryException failure = null;
		for (Endpoint endpoint : this.hosts.pushEndpoints(registry)) {
			RegistrySession session = new RegistrySession(this.transport, this.authenticator, endpoint, "", credentials,
					List.of());
			try {
				HttpResponse<InputStream> response = session.send("GET", endpoint.resolve("/v2/"), Map.of(),
						HttpRequest.BodyPublishers.noBody());
				byte[] body = RegistrySession.readCapped(response, 64 * 1024, "/v2/");
				if (response.statusCode() == 200) {
					return;
				}
				if (response.statusCode() == 401 || response.statusCode() == 403) {
					throw new RegistryException(RegistryException.Kind.UNAUTHORIZED,
							"unauthorized: " + RegistryErrors.describe(body, "incorrect username or password"));
				}
				throw session.failure(response.statusCode(), body, "/v2/");
			}
			catch (RegistryException ex) {
				failure = ex;
				if (!(endpoint.skipTlsVerify() && ex.kind() == RegistryException.Kind.UNAVAILABLE)) {
					throw ex;
				}
			}
		}
		throw failure;
	}

	/** Tokens fetched from token servers so far (a metric, and how tests see token reuse). */
	public long tokensFetched() {
		return this.authenticator.tokensFetched();
	}

	private static ProgressListener serialized(ProgressListener listener) {
		Object lock = new Object();
		return (event) -> {
			synchronized (lock) {
				listener.onProgress(event);
			}
		};
	}

	@Override
	public void close() {
		this.transport.close();
	}

}
