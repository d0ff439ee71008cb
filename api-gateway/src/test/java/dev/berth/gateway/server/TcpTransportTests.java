package dev.berth.gateway.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.berth.gateway.ApiGatewayApplication;
import dev.berth.gateway.testing.Certificates;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gateway on TCP as dockerd's flags set it up, driven by the real docker CLI (28) with certificates made here:
 * mutual TLS lets in only clients whose certificate chains to {@code --tlscacert}; {@code --tlsverify=false} is TLS
 * without client certificates; plain HTTP only when asked for, on loopback. And the actuator is on none of these
 * listeners.
 */
@ExtendWith(OutputCaptureExtension.class)
class TcpTransportTests {

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Certificates.Authority CA = Certificates.authority("berth-test-ca");

	private static final Path CA_FILE = CA.write(DIRECTORY.resolve("ca"));

	private static final Certificates.Issued SERVER = CA.server(DIRECTORY.resolve("server"));

	private static final Certificates.Issued CLIENT = CA.client(DIRECTORY.resolve("client"));

	// a client of the same name from a CA the gateway does not trust
	private static final Certificates.Issued STRANGER = Certificates.authority("berth-test-ca")
		.client(DIRECTORY.resolve("stranger"));

	@AfterAll
	static void removeDirectory() {
		Commands.deleteRecursively(DIRECTORY);
	}

	@Test
	void mutualTlsAdmitsOnlyClientsWithACertificateFromTheCa() throws IOException {
		Path socket = DIRECTORY.resolve("mutual/docker.sock");
		String host = "tcp://127.0.0.1:" + freePort();
		try (ConfigurableApplicationContext gateway = start("unix://" + socket + "," + host,
				"--berth.gateway.tlsverify=true", "--berth.gateway.tlscacert=" + CA_FILE)) {
			assertThat(docker(host, "--tlsverify", "--tlscacert", CA_FILE.toString(), "--tlscert",
					CLIENT.certificate().toString(), "--tlskey", CLIENT.key().toString()).ok().strip())
				.startsWith("Berth");
			Commands.Result anonymous = docker(host, "--tlsverify", "--tlscacert", CA_FILE.toString());
			assertThat(anonymous.exitCode()).isNotZero();
			assertThat(anonymous.stderr()).contains("remote error: tls:");
			Commands.Result stranger = docker(host, "--tlsverify", "--tlscacert", CA_FILE.toString(), "--tlscert",
					STRANGER.certificate().toString(), "--tlskey", STRANGER.key().toString());
			assertThat(stranger.exitCode()).isNotZero();
			assertThat(stranger.stderr()).contains("remote error: tls:");
			// the unix socket beside it is unchanged: root and its group only
			PosixFileAttributes socketAttributes = Files.readAttributes(socket, PosixFileAttributes.class);
			assertThat(PosixFilePermissions.toString(socketAttributes.permissions())).isEqualTo("rw-rw----");
			assertThat(socketAttributes.owner().getName()).isEqualTo("root");
			assertThat(socketAttributes.group().getName()).isEqualTo("root");
			assertThat(new UnixHttp(socket).get("/_ping").status()).isEqualTo(200);
		}
	}

	@Test
	void tlsAloneRequiresClientCertificatesAsDockerdDoes() throws IOException {
		String host = "tcp://127.0.0.1:" + freePort();
		try (ConfigurableApplicationContext gateway = start(host, "--berth.gateway.tls=true",
				"--berth.gateway.tlscacert=" + CA_FILE)) {
			assertThat(docker(host, "--tlsverify", "--tlscacert", CA_FILE.toString()).exitCode()).isNotZero();
			assertThat(docker(host, "--tlsverify", "--tlscacert", CA_FILE.toString(), "--tlscert",
					CLIENT.certificate().toString(), "--tlskey", CLIENT.key().toString()).ok())
				.startsWith("Berth");
		}
	}

	@Test
	void tlsVerifyFalseIsTlsWithoutClientCertificates(CapturedOutput output) {
		String host = "tcp://localhost:" + freePort();
		try (ConfigurableApplicationContext gateway = start(host, "--berth.gateway.tlsverify=false")) {
			// the CLI still checks the server's certificate against the CA; it shows none of its own
			assertThat(docker(host, "--tlsverify", "--tlscacert", CA_FILE.toString()).ok()).startsWith("Berth");
			// and nothing reaches the API without TLS
			assertThat(docker(host).exitCode()).isNotZero();
		}
		assertThat(output).contains("Binding to IP address without --tlsverify is insecure");
	}

	@Test
	void plainHttpWhenAskedForOnLoopbackWithDockerdsWarning(CapturedOutput output) throws Exception {
		int port = freePort();
		String host = "tcp://127.0.0.1:" + port;
		Path socket = DIRECTORY.resolve("plain/docker.sock");
		try (ConfigurableApplicationContext gateway = start(host + ",unix://" + socket, "--berth.gateway.tls=false")) {
			assertThat(docker(host).ok()).startsWith("Berth");
			assertThat(output).contains("Binding to IP address without --tlsverify is insecure and gives root access on"
					+ " this machine to everyone who has access to your network. host=\"" + host + "\"");
			// the actuator answers on its own loopback port only; every Docker API listener says "page not found"
			int management = Integer.parseInt(gateway.getEnvironment().getProperty("local.management.port"));
			assertThat(management).isNotEqualTo(port);
			for (String path : List.of("/actuator/health", "/actuator/prometheus", "/v1.50/actuator/health")) {
				assertThat(get("http://127.0.0.1:" + port + path).body()).isEqualTo("{\"message\":\"page not found\"}");
				assertThat(get("http://127.0.0.1:" + port + path).statusCode()).isEqualTo(404);
				UnixHttp.Response overSocket = new UnixHttp(socket).get(path);
				assertThat(overSocket.status()).isEqualTo(404);
				assertThat(overSocket.text()).isEqualTo("{\"message\":\"page not found\"}");
			}
			assertThat(get("http://127.0.0.1:" + management + "/actuator/health").body()).contains("\"status\":\"UP\"");
			assertThat(get("http://127.0.0.1:" + management + "/actuator/prometheus").body())
				.contains("jvm_memory_used_bytes");
		}
	}

	@Test
	void plainHttpThatWasNotAskedForStopsTheGatewayFromStarting() {
		String host = "tcp://127.0.0.1:" + freePort();
		assertThatThrownBy(() -> start(host).close()).rootCause()
			.isInstanceOf(HostRefusedException.class)
			.hasMessageStartingWith("refusing to listen on " + host + " without TLS");
	}

	@Test
	void unauthenticatedTcpOffLoopbackIsRefusedEvenWhenAskedFor() {
		DockerHost.Tcp everywhere = new DockerHost.Tcp("0.0.0.0", 2375);
		TlsSettings plain = TlsSettings.of(false, null, CA_FILE, SERVER.certificate(), SERVER.key());
		TlsSettings serverOnly = TlsSettings.of(null, false, CA_FILE, SERVER.certificate(), SERVER.key());
		for (TlsSettings settings : List.of(plain, serverOnly)) {
			assertThatThrownBy(() -> TcpConnector.prepare(everywhere, settings))
				.isInstanceOf(HostRefusedException.class)
				.hasMessageContaining("without --tlsverify a TCP host must be a loopback address");
		}
		TlsSettings mutual = TlsSettings.of(null, true, CA_FILE, SERVER.certificate(), SERVER.key());
		assertThat(TcpConnector.prepare(everywhere, mutual).description())
			.isEqualTo("tcp://0.0.0.0:2375 (TLS, client certificates verified against " + CA_FILE + ")");
	}

	@Test
	void missingOrWrongPemFilesAreRefusedBeforeTomcatStarts() {
		DockerHost.Tcp loopback = new DockerHost.Tcp("127.0.0.1", 2376);
		Path missing = DIRECTORY.resolve("nothing.pem");
		assertThatThrownBy(() -> TcpConnector.prepare(loopback,
				TlsSettings.of(null, true, missing, SERVER.certificate(), SERVER.key())))
			.isInstanceOf(HostRefusedException.class)
			.hasMessageStartingWith("could not read CA certificate \"" + missing + "\"");
		assertThatThrownBy(() -> TcpConnector.prepare(loopback,
				TlsSettings.of(null, true, CA_FILE, missing, SERVER.key())))
			.hasMessageStartingWith("could not read TLS certificate \"" + missing + "\"");
		// a certificate where the key belongs
		assertThatThrownBy(() -> TcpConnector.prepare(loopback,
				TlsSettings.of(null, false, CA_FILE, SERVER.certificate(), SERVER.certificate())))
			.hasMessageStartingWith("could not read TLS key \"" + SERVER.certificate() + "\"");
	}

	private static ConfigurableApplicationContext start(String hosts, String... flags) {
		List<String> arguments = new ArrayList<>(List.of("--berth.gateway.hosts=" + hosts,
				// nothing listens on port 1: no engine is needed to answer /version and /_ping
				"--berth.gateway.engine=127.0.0.1:1", "--berth.gateway.tlscert=" + SERVER.certificate(),
				"--berth.gateway.tlskey=" + SERVER.key()));
		arguments.addAll(List.of(flags));
		return new SpringApplicationBuilder(ApiGatewayApplication.class).run(arguments.toArray(String[]::new));
	}

	/** {@code docker version} as a Docker user would run it, with a configuration of its own. */
	private static Commands.Result docker(String host, String... tlsFlags) {
		List<String> command = new ArrayList<>(List.of("docker", "-H", host));
		command.addAll(List.of(tlsFlags));
		command.addAll(List.of("version", "--format", "{{.Server.Platform.Name}}"));
		return Commands.run(command, Map.of("DOCKER_CONFIG", DIRECTORY.resolve("cli").toString()));
	}

	private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
		try (HttpClient client = HttpClient.newHttpClient()) {
			return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("berth-gateway-tcp-");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
