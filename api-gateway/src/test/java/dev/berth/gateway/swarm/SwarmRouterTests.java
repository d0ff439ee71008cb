package dev.berth.gateway.swarm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Swarm and plugin routes answer as dockerd 20.10 answers them with swarm mode inactive and no plugin installed (each
 * expectation below was read from such a dockerd), over the real socket and through the real CLI.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class SwarmRouterTests {

	private static final String NOT_A_MANAGER = "{\"message\":\"This node is not a swarm manager. Use \\\"docker swarm"
			+ " init\\\" or \\\"docker swarm join\\\" to connect this node to swarm and try again.\"}";

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Path SOCKET = DIRECTORY.resolve("docker.sock");

	private final UnixHttp http = new UnixHttp(SOCKET);

	@DynamicPropertySource
	static void gateway(DynamicPropertyRegistry properties) {
		properties.add("berth.gateway.hosts", () -> "unix://" + SOCKET);
		properties.add("berth.gateway.engine", () -> "127.0.0.1:1");
	}

	@AfterAll
	static void removeDirectory() {
		Commands.deleteRecursively(DIRECTORY);
	}

	@Test
	void everySwarmManagerRouteIsUnavailableWithDockerdsMessage() throws IOException {
		List<String> reads = List.of("/swarm", "/swarm/unlockkey", "/nodes", "/nodes/abc", "/services", "/services/abc",
				"/services/abc/logs?stdout=1", "/tasks", "/tasks/abc", "/tasks/abc/logs?stdout=1", "/secrets",
				"/secrets/abc", "/configs", "/configs/abc", "/v1.24/nodes", "/v1.50/swarm");
		for (String path : reads) {
			assertAnswer("GET", path, 503, NOT_A_MANAGER);
		}
		List<String> changes = List.of("/swarm/update?version=1", "/swarm/unlock", "/nodes/abc/update?version=1",
				"/services/create", "/services/abc/update?version=1", "/secrets/create",
				"/secrets/abc/update?version=1", "/configs/create", "/configs/abc/update?version=1");
		for (String path : changes) {
			assertAnswer("POST", path, 503, NOT_A_MANAGER);
		}
		for (String path : List.of("/nodes/abc", "/services/abc", "/secrets/abc", "/configs/abc")) {
			assertAnswer("DELETE", path, 503, NOT_A_MANAGER);
		}
		assertAnswer("POST", "/swarm/leave?force=1", 503, "{\"message\":\"This node is not part of a swarm\"}");
		// another method on a swarm path is an unknown route, as in dockerd
		assertAnswer("PUT", "/swarm", 404, "{\"message\":\"page not found\"}");
	}

	@Test
	void aSwarmCannotBeStartedOrJoined() throws IOException {
		for (String path : List.of("/swarm/init", "/swarm/join")) {
			assertAnswer("POST", path, 501,
					"{\"message\":\"Berth does not support swarm mode: this node cannot init or join a swarm\"}");
		}
	}

	@Test
	void noPluginIsInstalledAndNoneCanBe() throws IOException {
		assertAnswer("GET", "/plugins", 200, "[]");
		assertAnswer("GET", "/plugins?filters=%7B%22capability%22%3A%5B%22volumedriver%22%5D%7D", 200, "[]");
		assertThat(this.http.get("/plugins?filters=bad").status()).isEqualTo(400);
		assertAnswer("GET", "/plugins/abc/json", 404, "{\"message\":\"plugin \\\"abc\\\" not found\"}");
		assertAnswer("GET", "/plugins/vieux/sshfs:latest/json", 404,
				"{\"message\":\"plugin \\\"vieux/sshfs:latest\\\" not found\"}");
		for (String operation : List.of("enable", "disable", "push", "set", "upgrade")) {
			assertAnswer("POST", "/plugins/abc/" + operation, 404, "{\"message\":\"plugin \\\"abc\\\" not found\"}");
		}
		assertAnswer("DELETE", "/plugins/vieux/sshfs", 404, "{\"message\":\"plugin \\\"vieux/sshfs\\\" not found\"}");
		assertAnswer("POST", "/plugins/abc/nothing", 404, "{\"message\":\"page not found\"}");
		assertAnswer("GET", "/plugins/abc", 404, "{\"message\":\"page not found\"}");
		String unsupported = "{\"message\":\"Berth does not support managed plugins: none can be installed or"
				+ " created\"}";
		assertAnswer("GET", "/plugins/privileges?remote=vieux/sshfs", 501, unsupported);
		assertAnswer("POST", "/plugins/pull?remote=vieux/sshfs", 501, unsupported);
		assertAnswer("POST", "/plugins/create?name=x", 501, unsupported);
	}

	@Test
	void theCliPrintsWhatItPrintsForAnInactiveDockerd() {
		assertThat(docker("node", "ls").stderr()).isEqualTo("Error response from daemon: This node is not a swarm"
				+ " manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try"
				+ " again.\n");
		assertThat(docker("swarm", "leave").stderr())
			.isEqualTo("Error response from daemon: This node is not part of a swarm\n");
		assertThat(docker("secret", "ls").exitCode()).isEqualTo(1);
		Commands.Result plugins = docker("plugin", "ls");
		assertThat(plugins.ok()).isEqualTo("ID        NAME      DESCRIPTION   ENABLED\n");
	}

	private Commands.Result docker(String... arguments) {
		List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + SOCKET));
		command.addAll(List.of(arguments));
		return Commands.run(command, Map.of("DOCKER_CONFIG", DIRECTORY.resolve("cli").toString()));
	}

	private void assertAnswer(String method, String path, int status, String body) throws IOException {
		UnixHttp.Response response = this.http.send(method, path, Map.of("Content-Type", "application/json"),
				method.equals("POST") ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[0]);
		assertThat(response.status()).as(method + " " + path).isEqualTo(status);
		assertThat(response.text()).as(method + " " + path).isEqualTo(body);
		assertThat(response.headers().get("content-type")).as(method + " " + path).startsWith("application/json");
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("berth-gateway-swarm-");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
