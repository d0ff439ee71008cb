package dev.berth.engine.registry;

import java.net.URI;

/**
 * One way to reach a registry: a base URI ({@code https://registry-1.docker.io}, a mirror, or
 * plain {@code http://} for an insecure registry) and whether its TLS certificate is trusted
 * without checking, as dockerd does for insecure registries.
 */
public record Endpoint(URI base, boolean mirror, boolean skipTlsVerify) {

	/** {@code base} + {@code /v2/…}, keeping a mirror's own path prefix. */
	public URI resolve(String v2Path) {
		String prefix = this.base.toString();
		if (prefix.endsWith("/")) {
			prefix = prefix.substring(0, prefix.length() - 1);
		}
		return URI.create(prefix + v2Path);
	}

	/** Where errors point users: the host and port, without scheme. */
	public String host() {
		return this.base.getAuthority();
	}

}
