package dev.berth.engine.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.ImageReference;

/**
 * The engine's way to registries: pulls and logins go through here, over the endpoints
 * {@link RegistryHosts} gives (mirrors first for Docker Hub, HTTP fallback for insecure ones), with
 * one token cache for all of them.
 */
public final class Registries implements AutoCloseable {

	/** How long an insecure registry has to answer a TLS hello before it is taken to speak HTTP. */
	private static final Duration TLS_PROBE_TIMEOUT = Duration.ofSeconds(2);

	private final RegistryHosts hosts;

	private final int maxConcurrentDownloads;

	private final RegistryTransport transport = new RegistryTransport();

	private final Authenticator authenticator;

	/** Which scheme each insecure registry answered on: HTTPS without checks, or plain HTTP. */
	private final ConcurrentMap<String, Endpoint> insecureSchemes = new ConcurrentHashMap<>();

	/** A layer download that receives nothing for this long is abandoned and resumed, as a stalled one. */
	static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

	private final Duration stallTimeout;

	public Registries(RegistryHosts hosts, int maxConcurrentDownloads) {
		this(hosts, maxConcurrentDownloads, STALL_TIMEOUT);
	}

	Registries(RegistryHosts hosts, int maxConcurrentDownloads, Duration stallTimeout) {
		if (maxConcurrentDownloads < 1) {
			throw new IllegalArgumentException("max-concurrent-downloads must be at least 1");
		}
		this.hosts = hosts;
		this.maxConcurrentDownloads = maxConcurrentDownloads;
		this.stallTimeout = stallTimeout;
		this.authenticator = new Authenticator(this.transport, Clock.systemUTC());
	}

	/**
	 * Pulls an image into a content store, trying each endpoint in turn: a mirror that fails or
	 * lacks the image falls through to the next one.
	 */
	public PulledImage pull(ContentStore store, ImageReference reference, Platform platform,
			RegistryCredentials credentials, ProgressListener progress) {
		return pull(store, reference, platform, credentials, progress, BlobTap.NONE);
	}

	/** {@link #pull}, showing each layer's bytes to {@code tap} as they download. */
	public PulledImage pull(ContentStore store, ImageReference reference, Platform platform,
			RegistryCredentials credentials, ProgressListener progress, BlobTap tap) {
		ProgressListener serialized = serialized(progress);
		List<String> scopes = List.of("repository:" + reference.repository() + ":pull");
		RegistryException failure = null;
		for (Endpoint endpoint : reachable(this.hosts.pullEndpoints(reference.registry()))) {
			RegistrySession session = new RegistrySession(this.transport, this.authenticator, endpoint,
					reference.repository(), credentials, scopes);
			try {
				return new ImagePull(session, store, reference, platform, this.maxConcurrentDownloads, serialized, tap,
						this.stallTimeout)
					.run();
			}
			catch (RegistryException ex) {
				failure = ex;
				forgetSchemeAfter(endpoint, ex);
				if (!endpoint.mirror()) {
					throw ex;
				}
			}
		}
		throw failure;
	}

	/**
	 * Pushes blobs and a manifest to {@code target}'s repository under {@code content.tag()}, and
	 * returns the manifest digest. Never through a mirror: mirrors are read-only.
	 */
	public Digest push(ContentStore store, ImageReference target, PushContent content,
			RegistryCredentials credentials, ProgressListener progress) {
		List<String> scopes = new ArrayList<>();
		scopes.add("repository:" + target.repository() + ":pull,push");
		content.mountSources().values().stream().distinct().sorted()
			.forEach((source) -> scopes.add("repository:" + source + ":pull"));
		Endpoint endpoint = reachable(this.hosts.pushEndpoints(target.registry())).get(0);
		RegistrySession session = new RegistrySession(this.transport, this.authenticator, endpoint, target.repository(),
				credentials, List.copyOf(scopes));
		try {
			return new ImagePush(session, store, content, this.maxConcurrentDownloads, serialized(progress)).run();
		}
		catch (RegistryException ex) {
			forgetSchemeAfter(endpoint, ex);
			throw ex;
		}
	}

	/**
	 * Checks credentials the way {@code docker login} does: {@code GET /v2/} on the registry,
	 * answering its challenge with them. Throws {@link RegistryException} UNAUTHORIZED when refused.
	 */
	public void login(String registry, RegistryCredentials credentials) {
		RegistryException failure = null;
		for (Endpoint endpoint : reachable(this.hosts.pushEndpoints(registry))) {
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
				forgetSchemeAfter(endpoint, ex);
				throw ex;
			}
		}
		throw new IllegalStateException("no endpoint for " + registry);
	}

	/**
	 * Replaces each insecure registry's HTTPS-then-HTTP pair by the one scheme it answers on, as
	 * dockerd falls back. The answer is remembered, so the probe is paid once per registry, not
	 * per request; a plain HTTP server that never answers a TLS hello costs the probe timeout.
	 */
	private List<Endpoint> reachable(List<Endpoint> endpoints) {
		List<Endpoint> result = new ArrayList<>();
		for (int i = 0; i < endpoints.size(); i++) {
			Endpoint endpoint = endpoints.get(i);
			boolean pair = !endpoint.mirror() && endpoint.skipTlsVerify() && i + 1 < endpoints.size()
					&& "http".equals(endpoints.get(i + 1).base().getScheme());
			if (!pair) {
				result.add(endpoint);
				continue;
			}
			Endpoint plain = endpoints.get(++i);
			result.add(this.insecureSchemes.computeIfAbsent(endpoint.host(),
					(host) -> answersTls(endpoint) ? endpoint : plain));
		}
		return result;
	}

	private boolean answersTls(Endpoint endpoint) {
		HttpRequest probe = HttpRequest.newBuilder(endpoint.resolve("/v2/")).timeout(TLS_PROBE_TIMEOUT).GET().build();
		try {
			this.transport.client(endpoint).send(probe, HttpResponse.BodyHandlers.discarding());
			return true;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** A registry that stopped answering may have changed scheme: probe it again next time. */
	private void forgetSchemeAfter(Endpoint endpoint, RegistryException ex) {
		if (ex.kind() == RegistryException.Kind.UNAVAILABLE) {
			this.insecureSchemes.remove(endpoint.host());
		}
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
