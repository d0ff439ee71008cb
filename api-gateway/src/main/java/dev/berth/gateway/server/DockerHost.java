package dev.berth.gateway.server;

import java.nio.file.Path;

/**
 * One of dockerd's {@code -H} values. Only {@code unix://} is served so far; TCP (with mutual TLS) is still to come.
 */
record DockerHost(Path socket) {

	static DockerHost parse(String host) {
		if (host.startsWith("unix://")) {
			String path = host.substring("unix://".length());
			if (path.isEmpty() || !path.startsWith("/")) {
				throw new IllegalArgumentException("a unix host needs an absolute socket path: " + host);
			}
			return new DockerHost(Path.of(path));
		}
		throw new IllegalArgumentException(
				"unsupported host " + host + ": only unix:///path/to/socket is served so far (TCP with TLS comes later)");
	}

}
