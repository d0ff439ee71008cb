package dev.berth.gateway.server;

import java.nio.file.Path;

/**
 * One of dockerd's {@code -H} values: a unix socket or a TCP address. Parsed as dockerd parses them, so that a command
 * line written for dockerd means the same here: {@code tcp://} fills in a missing host with {@code localhost} and a
 * missing port with 2375 (dockerd does so with TLS too: 2376 is only the client's default), and a value without a
 * scheme is TCP.
 */
sealed interface DockerHost {

	/** dockerd's default port for {@code tcp://} hosts, with or without TLS (checked against dockerd 20.10). */
	int DEFAULT_TCP_PORT = 2375;

	String DEFAULT_TCP_HOST = "localhost";

	/** Berth's own socket, where dockerd's {@code unix://} without a path would mean {@code /var/run/docker.sock}. */
	Path DEFAULT_SOCKET = Path.of("/run/berth/docker.sock");

	/** A unix socket, mode 0660. */
	record Unix(Path socket) implements DockerHost {

		@Override
		public String toString() {
			return "unix://" + this.socket;
		}

	}

	/** A TCP address: {@code host} is a name or an IP literal, IPv6 without brackets. */
	record Tcp(String host, int port) implements DockerHost {

		@Override
		public String toString() {
			return "tcp://" + (this.host.contains(":") ? "[" + this.host + "]" : this.host) + ":" + this.port;
		}

	}

	static DockerHost parse(String value) {
		String host = value.strip();
		int separator = host.indexOf("://");
		String scheme = (separator < 0) ? "tcp" : host.substring(0, separator);
		String address = (separator < 0) ? host : host.substring(separator + 3);
		return switch (scheme) {
			case "unix" -> unix(value, address);
			case "tcp" -> tcp(value, address);
			// systemd socket activation: the sockets would come from systemd, which does not start berthd
			case "fd" -> throw new HostRefusedException("fd:// hosts are sockets handed over by systemd, which Berth"
					+ " does not take: listen on unix:///path/to/socket or tcp://host:port instead (" + value + ")");
			default -> throw invalid(value, "unsupported proto '" + scheme + "'");
		};
	}

	private static Unix unix(String value, String path) {
		if (path.isEmpty()) {
			return new Unix(DEFAULT_SOCKET);
		}
		if (!path.startsWith("/")) {
			throw invalid(value, "a unix socket needs an absolute path");
		}
		return new Unix(Path.of(path));
	}

	private static Tcp tcp(String value, String address) {
		if (address.contains("/")) {
			throw invalid(value, "should not contain a path element");
		}
		String host;
		String port;
		if (address.startsWith("[")) {
			int close = address.indexOf(']');
			if (close < 0) {
				throw invalid(value, "missing ']' in address");
			}
			host = address.substring(1, close);
			String rest = address.substring(close + 1);
			if (!rest.isEmpty() && !rest.startsWith(":")) {
				throw invalid(value, "unexpected text after the address");
			}
			port = rest.isEmpty() ? "" : rest.substring(1);
		}
		else {
			int colon = address.lastIndexOf(':');
			if (colon >= 0 && address.indexOf(':') != colon) {
				throw invalid(value, "an IPv6 address needs brackets: tcp://[::1]:2376");
			}
			host = (colon < 0) ? address : address.substring(0, colon);
			port = (colon < 0) ? "" : address.substring(colon + 1);
		}
		return new Tcp(host.isEmpty() ? DEFAULT_TCP_HOST : host, port.isEmpty() ? DEFAULT_TCP_PORT : port(value, port));
	}

	private static int port(String value, String port) {
		try {
			int number = Integer.parseInt(port);
			if (number > 0 && number <= 65535) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// the same answer as an out-of-range number
		}
		throw invalid(value, "invalid port: " + port);
	}

	// dockerd's words for a host it cannot parse
	private static HostRefusedException invalid(String value, String reason) {
		return new HostRefusedException("invalid bind address (" + value + "): " + reason);
	}

}
