package dev.berth.engine.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers registry challenges. A registry's challenge is remembered, so later requests carry
 * credentials from the start instead of paying a 401 round trip each; bearer tokens are kept per
 * registry, scope and user until shortly before they expire, so a pull of ten layers asks the
 * token server once.
 */
final class Authenticator {

	/** The spec's default and minimum token lifetime. */
	private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

	/** Tokens are renewed this long before they expire, so none lapses mid-request. */
	private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);

	private static final int MAX_TOKEN_RESPONSE_BYTES = 1 << 20;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RegistryTransport transport;

	private final Clock clock;

	private final ConcurrentMap<URI, Challenge> challenges = new ConcurrentHashMap<>();

	private final ConcurrentMap<TokenKey, Token> tokens = new ConcurrentHashMap<>();

	private final AtomicLong tokensFetched = new AtomicLong();

	Authenticator(RegistryTransport transport, Clock clock) {
		this.transport = transport;
		this.clock = clock;
	}

	/** The Authorization header to send up front, or null while this endpoint has not challenged. */
	String cachedAuthorization(Endpoint endpoint, List<String> scopes, RegistryCredentials credentials) {
		Challenge challenge = this.challenges.get(endpoint.base());
		if (challenge == null) {
			return null;
		}
		return authorization(endpoint, challenge, scopes, credentials);
	}

	/** Answers a 401's challenge: remembers it and returns the header to retry with. */
	String answer(Endpoint endpoint, String wwwAuthenticate, List<String> scopes, RegistryCredentials credentials) {
		Challenge challenge = Challenge.parse(wwwAuthenticate);
		if (challenge == null || !(challenge.isBearer() || challenge.isBasic())) {
			throw new RegistryException(RegistryException.Kind.UNAUTHORIZED,
					"unauthorized: " + endpoint.host() + " asked for an unsupported authentication: " + wwwAuthenticate);
		}
		this.challenges.put(endpoint.base(), challenge);
		// a 401 with a cached token means the token was refused: never reuse it
		this.tokens.remove(new TokenKey(endpoint.base(), scopes, credentials));
		return authorization(endpoint, challenge, scopes, credentials);
	}

	/** Tokens fetched so far; reuse shows as this not growing. */
	long tokensFetched() {
		return this.tokensFetched.get();
	}

	private String authorization(Endpoint endpoint, Challenge challenge, List<String> scopes,
			RegistryCredentials credentials) {
		if (challenge.isBasic()) {
			if (credentials.username() == null) {
				throw new RegistryException(RegistryException.Kind.UNAUTHORIZED, "no basic auth credentials");
			}
			return basic(credentials);
		}
		if (credentials.registryToken() != null) {
			return "Bearer " + credentials.registryToken();
		}
		TokenKey key = new TokenKey(endpoint.base(), scopes, credentials);
		Token cached = this.tokens.get(key);
		if (cached != null && this.clock.instant().isBefore(cached.renewAt())) {
			return "Bearer " + cached.value();
		}
		Token fresh = fetchToken(endpoint, challenge, scopes, credentials);
		this.tokens.put(key, fresh);
		return "Bearer " + fresh.value();
	}

	private Token fetchToken(Endpoint endpoint, Challenge challenge, List<String> scopes,
			RegistryCredentials credentials) {
		String realm = challenge.parameter("realm");
		URI realmUri;
		try {
			realmUri = URI.create(realm);
		}
		catch (IllegalArgumentException | NullPointerException ex) {
			realmUri = null;
		}
		if (realmUri == null || !("https".equals(realmUri.getScheme()) || "http".equals(realmUri.getScheme()))) {
			throw new RegistryException(RegistryException.Kind.UNAUTHORIZED,
					"unauthorized: " + endpoint.host() + " gave an invalid token realm \"" + realm + "\"");
		}
		String service = challenge.parameter("service");
		HttpRequest request;
		if (credentials.identityToken() != null) {
			// an identity token from a login is an OAuth2 refresh token
			StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=berth&refresh_token=")
				.append(encode(credentials.identityToken()));
			if (service != null) {
				form.append("&service=").append(encode(service));
			}
			form.append("&scope=").append(encode(String.join(" ", scopes)));
			request = HttpRequest.newBuilder(realmUri)
				.timeout(Duration.ofSeconds(30))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form.toString()))
				.build();
		}
		else {
			StringBuilder query = new StringBuilder();
			if (service != null) {
				query.append("service=").append(encode(service));
			}
			for (String scope : scopes) {
				query.append(query.isEmpty() ? "" : "&").append("scope=").append(encode(scope));
			}
			if (credentials.username() != null) {
				query.append(query.isEmpty() ? "" : "&").append("account=").append(encode(credentials.username()));
			}
			String separator = (realmUri.getRawQuery() == null) ? "?" : "&";
			HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(realm + (query.isEmpty() ? "" : separator + query)))
				.timeout(Duration.ofSeconds(30))
				.GET();
			if (credentials.username() != null) {
				builder.header("Authorization", basic(credentials));
			}
			request = builder.build();
		}
		HttpResponse<byte[]> response;
		try {
			response = this.transport.client(endpoint).send(request, HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE,
					"cannot get a token from " + realmUri.getAuthority() + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "interrupted while getting a token", ex);
		}
		if (response.statusCode() == 401 || response.statusCode() == 403) {
			throw new RegistryException(RegistryException.Kind.UNAUTHORIZED,
					"unauthorized: " + RegistryErrors.describe(response.body(), "incorrect username or password"));
		}
		if (response.statusCode() != 200 || response.body().length > MAX_TOKEN_RESPONSE_BYTES) {
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "token server " + realmUri.getAuthority()
					+ " answered " + response.statusCode() + ": " + RegistryErrors.describe(response.body(), ""));
		}
		return parseToken(response.body(), realmUri);
	}

	private Token parseToken(byte[] body, URI realm) {
		JsonNode json;
		try {
			json = JSON.readTree(body);
		}
		catch (JacksonException ex) {
			json = null;
		}
		String token = (json == null) ? null : Manifests.text(json, "token");
		if (token == null && json != null) {
			token = Manifests.text(json, "access_token");
		}
		if (token == null || token.isEmpty()) {
			throw new RegistryException(RegistryException.Kind.UNAUTHORIZED,
					"unauthorized: the token server " + realm.getAuthority() + " returned no token");
		}
		long expiresIn = json.path("expires_in").asLong(0);
		Duration lifetime = (expiresIn < DEFAULT_TOKEN_LIFETIME.toSeconds()) ? DEFAULT_TOKEN_LIFETIME
				: Duration.ofSeconds(expiresIn);
		Instant issuedAt = this.clock.instant();
		this.tokensFetched.incrementAndGet();
		return new Token(token, issuedAt.plus(lifetime).minus(EXPIRY_MARGIN));
	}

	private static String basic(RegistryCredentials credentials) {
		String pair = credentials.username() + ":" + ((credentials.password() != null) ? credentials.password() : "");
		return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private record TokenKey(URI endpoint, List<String> scopes, RegistryCredentials credentials) {
	}

	private record Token(String value, Instant renewAt) {
	}

}
