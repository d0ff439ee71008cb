package dev.berth.engine.registry;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.berth.engine.image.ImageReference;

/**
 * Which endpoints serve a registry, configured like dockerd: {@code --registry-mirror} URLs are
 * tried before Docker Hub itself, and {@code --insecure-registry} entries (host, host:port or a
 * CIDR) are reached over HTTPS without certificate checks, then over plain HTTP. Loopback
 * registries are insecure by default, as in dockerd.
 */
public final class RegistryHosts {

	static final URI DOCKER_HUB_ORIGIN = URI.create("https://registry-1.docker.io");

	private final List<URI> mirrors;

	private final List<String> insecureHosts = new ArrayList<>();

	private final List<Cidr> insecureNetworks = new ArrayList<>();

	public RegistryHosts(List<String> mirrors, List<String> insecureRegistries) {
		this.mirrors = mirrors.stream().map(RegistryHosts::mirrorUri).toList();
		this.insecureNetworks.add(Cidr.parse("127.0.0.0/8"));
		this.insecureNetworks.add(Cidr.parse("::1/128"));
		for (String entry : insecureRegistries) {
			String value = entry.trim().toLowerCase(Locale.ROOT);
			if (value.contains("://")) {
				throw new IllegalArgumentException("insecure registry " + entry + " should not contain '://'");
			}
			if (value.contains("/")) {
				this.insecureNetworks.add(Cidr.parse(value));
			}
			else if (!value.isEmpty()) {
				this.insecureHosts.add(value);
			}
		}
	}

	/** Pull endpoints in the order to try them. */
	public List<Endpoint> pullEndpoints(String registry) {
		List<Endpoint> endpoints = new ArrayList<>();
		if (ImageReference.DOCKER_HUB.equals(registry)) {
			for (URI mirror : this.mirrors) {
				boolean insecure = isInsecure(mirror.getAuthority());
				endpoints.add(new Endpoint(mirror, true, insecure && "https".equals(mirror.getScheme())));
			}
			endpoints.add(new Endpoint(DOCKER_HUB_ORIGIN, false, false));
			return endpoints;
		}
		return originEndpoints(registry);
	}

	/** Push endpoints: never a mirror, which is read-only. */
	public List<Endpoint> pushEndpoints(String registry) {
		if (ImageReference.DOCKER_HUB.equals(registry)) {
			return List.of(new Endpoint(DOCKER_HUB_ORIGIN, false, false));
		}
		return originEndpoints(registry);
	}

	private List<Endpoint> originEndpoints(String registry) {
		URI https = URI.create("https://" + registry);
		if (!isInsecure(registry)) {
			return List.of(new Endpoint(https, false, false));
		}
		return List.of(new Endpoint(https, false, true), new Endpoint(URI.create("http://" + registry), false, false));
	}

	/** Insecure by name (with or without port) or by any address the name resolves to. */
	public boolean isInsecure(String hostAndPort) {
		String value = hostAndPort.toLowerCase(Locale.ROOT);
		String host = hostOf(value);
		if (this.insecureHosts.contains(value) || this.insecureHosts.contains(host)) {
			return true;
		}
		try {
			for (InetAddress address : InetAddress.getAllByName(host)) {
				for (Cidr network : this.insecureNetworks) {
					if (network.contains(address)) {
						return true;
					}
				}
			}
		}
		catch (UnknownHostException ex) {
			// an unresolvable name is not in any insecure network
		}
		return false;
	}

	private static String hostOf(String hostAndPort) {
		if (hostAndPort.startsWith("[")) {
			return hostAndPort.substring(1, hostAndPort.indexOf(']'));
		}
		int colon = hostAndPort.lastIndexOf(':');
		return (colon > 0) ? hostAndPort.substring(0, colon) : hostAndPort;
	}

	private static URI mirrorUri(String mirror) {
		URI uri = URI.create(mirror.trim());
		if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
			throw new IllegalArgumentException("invalid registry mirror " + mirror + ": it must start with http:// or https://");
		}
		if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
			throw new IllegalArgumentException("invalid registry mirror " + mirror + ": no query or fragment allowed");
		}
		return uri;
	}

	/** An IPv4 or IPv6 network. */
	record Cidr(byte[] network, int prefix) {

		static Cidr parse(String text) {
			int slash = text.indexOf('/');
			try {
				byte[] address = InetAddress.getByName(text.substring(0, slash)).getAddress();
				int prefix = Integer.parseInt(text.substring(slash + 1));
				if (prefix < 0 || prefix > address.length * 8) {
					throw new IllegalArgumentException("invalid CIDR " + text);
				}
				return new Cidr(address, prefix);
			}
			catch (UnknownHostException | NumberFormatException | StringIndexOutOfBoundsException ex) {
				throw new IllegalArgumentException("invalid insecure registry network \"" + text + "\"");
			}
		}

		boolean contains(InetAddress address) {
			byte[] candidate = address.getAddress();
			if (candidate.length != this.network.length) {
				return false;
			}
			for (int bit = 0; bit < this.prefix; bit++) {
				int mask = 0x80 >>> (bit % 8);
				if ((candidate[bit / 8] & mask) != (this.network[bit / 8] & mask)) {
					return false;
				}
			}
			return true;
		}

	}

}
