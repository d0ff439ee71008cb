package dev.berth.gateway.server;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** dockerd's TLS flags combined as dockerd combines them (its code, confirmed by running dockerd 20.10). */
class TlsSettingsTests {

	private static final Path CA = Path.of("/certs/ca.pem");

	private static final Path CERT = Path.of("/certs/cert.pem");

	private static final Path KEY = Path.of("/certs/key.pem");

	@Test
	void tlsverifyGivenAtAllTurnsTlsOn() {
		assertThat(mode(null, true)).isEqualTo(TlsSettings.Mode.MUTUAL_TLS);
		assertThat(mode(null, false)).isEqualTo(TlsSettings.Mode.TLS);
		// --tls=false loses against --tlsverify, as in dockerd
		assertThat(mode(false, true)).isEqualTo(TlsSettings.Mode.MUTUAL_TLS);
		assertThat(mode(true, false)).isEqualTo(TlsSettings.Mode.TLS);
	}

	@Test
	void tlsAloneVerifiesClientsToo() {
		assertThat(mode(true, null)).isEqualTo(TlsSettings.Mode.MUTUAL_TLS);
	}

	@Test
	void plainHttpIsAskedForOnlyByTlsFalse() {
		TlsSettings unset = TlsSettings.of(null, null, CA, CERT, KEY);
		assertThat(unset.mode()).isEqualTo(TlsSettings.Mode.PLAIN);
		assertThat(unset.plainAsked()).isFalse();
		TlsSettings asked = TlsSettings.of(false, null, CA, CERT, KEY);
		assertThat(asked.mode()).isEqualTo(TlsSettings.Mode.PLAIN);
		assertThat(asked.plainAsked()).isTrue();
	}

	@Test
	void certificatesDefaultToDockerCertPathThenDockerConfigThenHome() {
		Map<String, String> both = Map.of("DOCKER_CERT_PATH", "/a", "DOCKER_CONFIG", "/b");
		assertThat(TlsSettings.defaultCertificateDirectory(both, "/root")).isEqualTo(Path.of("/a"));
		assertThat(TlsSettings.defaultCertificateDirectory(Map.of("DOCKER_CONFIG", "/b"), "/root"))
			.isEqualTo(Path.of("/b"));
		assertThat(TlsSettings.defaultCertificateDirectory(Map.of("DOCKER_CERT_PATH", ""), "/root"))
			.isEqualTo(Path.of("/root/.docker"));
		TlsSettings defaults = TlsSettings.of(new TlsProperties(null, true, null, null, null));
		Path directory = TlsSettings.defaultCertificateDirectory(System.getenv(), System.getProperty("user.home"));
		assertThat(defaults.caCertificate()).isEqualTo(directory.resolve("ca.pem"));
		assertThat(defaults.certificate()).isEqualTo(directory.resolve("cert.pem"));
		assertThat(defaults.key()).isEqualTo(directory.resolve("key.pem"));
	}

	private static TlsSettings.Mode mode(Boolean tls, Boolean tlsverify) {
		return TlsSettings.of(tls, tlsverify, CA, CERT, KEY).mode();
	}

}
