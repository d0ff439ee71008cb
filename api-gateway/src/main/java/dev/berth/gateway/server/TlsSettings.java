package dev.berth.gateway.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the TCP hosts speak, from dockerd's flags as dockerd combines them (its code, and dockerd 20.10 run side by side,
 * not its documentation, which says otherwise about {@code --tls}):
 * <ul>
 * <li>{@code --tlsverify} given at all turns TLS on; its value says whether client certificates are required.</li>
 * <li>{@code --tls} alone also requires client certificates: dockerd verifies unless {@code --tlsverify=false} says
 * not to. TLS without client certificates is therefore {@code --tlsverify=false}.</li>
 * <li>Neither: plain HTTP. dockerd warns; Berth refuses it unless {@code --tls=false} asks for it explicitly.</li>
 * </ul>
 *
 * @param mode what a TCP connection gets
 * @param plainAsked whether plain HTTP was asked for explicitly ({@code --tls=false})
 * @param caCertificate the CA that client certificates must chain to (and the only one)
 * @param certificate the server's certificate chain (PEM)
 * @param key the server's private key (PEM)
 */
record TlsSettings(Mode mode, boolean plainAsked, Path caCertificate, Path certificate, Path key) {

	enum Mode {

		/** HTTP: nobody is authenticated and nothing is encrypted. */
		PLAIN("plain HTTP, no TLS"),

		/** TLS with the server's certificate; clients are not authenticated. */
		TLS("TLS, client certificates not verified"),

		/** TLS, and every client must present a certificate that chains to the CA. */
		MUTUAL_TLS("TLS, client certificates verified");

		private final String description;

		Mode(String description) {
			this.description = description;
		}

		/** Only mutual TLS tells who the client is; anyone else who can connect gets root on this machine. */
		boolean authenticatesClients() {
			return this == MUTUAL_TLS;
		}

		@Override
		public String toString() {
			return this.description;
		}

	}

	static TlsSettings of(TlsProperties properties) {
		Path directory = defaultCertificateDirectory(System.getenv(), System.getProperty("user.home"));
		return of(properties.tls(), properties.tlsverify(), file(properties.tlscacert(), directory, "ca.pem"),
				file(properties.tlscert(), directory, "cert.pem"), file(properties.tlskey(), directory, "key.pem"));
	}

	static TlsSettings of(Boolean tls, Boolean tlsverify, Path caCertificate, Path certificate,
			Path key) {
		Mode mode;
		if (tlsverify != null) {
			mode = tlsverify ? Mode.MUTUAL_TLS : Mode.TLS;
		}
		else if (Boolean.TRUE.equals(tls)) {
			mode = Mode.MUTUAL_TLS;
		}
		else {
			mode = Mode.PLAIN;
		}
		return new TlsSettings(mode, Boolean.FALSE.equals(tls), caCertificate, certificate, key);
	}

	/**
	 * dockerd's default place for its TLS files: {@code $DOCKER_CERT_PATH}, else {@code $DOCKER_CONFIG}, else
	 * {@code ~/.docker} (the CLI's directory, a leftover from when both were one binary).
	 */
	static Path defaultCertificateDirectory(Map<String, String> environment, String home) {
		for (String variable : new String[] { "DOCKER_CERT_PATH", "DOCKER_CONFIG" }) {
			String value = environment.get(variable);
			if (value != null && !value.isEmpty()) {
				return Path.of(value);
			}
		}
		return Path.of(home, ".docker");
	}

	private static Path file(String given, Path directory, String name) {
		return (given != null && !given.isEmpty()) ? Path.of(given) : directory.resolve(name);
	}

}
