package dev.berth.engine.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a client sends to authenticate with a registry: a user name and password, an identity
 * (refresh) token from an earlier login, or a ready registry token. Never logged: {@link #toString()}
 * names only the user.
 */
public record RegistryCredentials(String username, String password, String identityToken, String registryToken) {

	public static final RegistryCredentials ANONYMOUS = new RegistryCredentials(null, null, null, null);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The longest {@code X-Registry-Auth} accepted; real ones are a few hundred bytes. */
	private static final int MAX_HEADER_LENGTH = 64 * 1024;

	public static RegistryCredentials basic(String username, String password) {
		return new RegistryCredentials(username, password, null, null);
	}

	/**
	 * Decodes Docker's {@code X-Registry-Auth}: base64url of a JSON AuthConfig. An empty header, or
	 * the {@code {}} the CLI sends when logged out, is anonymous; the legacy {@code auth} field
	 * ({@code base64(user:password)}) is honoured.
	 */
	public static RegistryCredentials fromRegistryAuthHeader(String header) {
		if (header == null || header.isBlank()) {
			return ANONYMOUS;
		}
		if (header.length() > MAX_HEADER_LENGTH) {
			throw new IllegalArgumentException("X-Registry-Auth header is longer than " + MAX_HEADER_LENGTH + " bytes");
		}
		JsonNode json;
		try {
			json = JSON.readTree(decodeBase64(header.trim()));
		}
		catch (IllegalArgumentException | JacksonException ex) {
			throw new IllegalArgumentException("invalid X-Registry-Auth header: not base64url-encoded JSON");
		}
		if (json == null || !json.isObject()) {
			throw new IllegalArgumentException("invalid X-Registry-Auth header: not a JSON object");
		}
		String username = Manifests.text(json, "username");
		String password = Manifests.text(json, "password");
		String auth = Manifests.text(json, "auth");
		if ((username == null || username.isEmpty()) && auth != null && !auth.isEmpty()) {
			String pair = new String(decodeBase64(auth), StandardCharsets.UTF_8);
			int colon = pair.indexOf(':');
			if (colon < 0) {
				throw new IllegalArgumentException("invalid X-Registry-Auth header: \"auth\" is not user:password");
			}
			username = pair.substring(0, colon);
			password = pair.substring(colon + 1);
		}
		return new RegistryCredentials(emptyToNull(username), emptyToNull(password),
				emptyToNull(Manifests.text(json, "identitytoken")), emptyToNull(Manifests.text(json, "registrytoken")));
	}

	public boolean isAnonymous() {
		return this.username == null && this.identityToken == null && this.registryToken == null;
	}

	@Override
	public String toString() {
		return isAnonymous() ? "anonymous" : "user " + ((this.username != null) ? this.username : "<token>");
	}

	/** Clients send base64url, some with padding, some the standard alphabet: accept all. */
	private static byte[] decodeBase64(String text) {
		String normalized = text.replace('+', '-').replace('/', '_').replace("=", "");
		return Base64.getUrlDecoder().decode(normalized);
	}

	private static String emptyToNull(String value) {
		return (value == null || value.isEmpty()) ? null : value;
	}

}
