package dev.berth.gateway.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ListResponse;
import dev.berth.contracts.lifecycle.v1.NodeServiceGrpc;
import dev.berth.contracts.lifecycle.v1.RemoveLayersRequest;
import dev.berth.contracts.lifecycle.v1.RemoveLayersResponse;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.EngineProcess;
import dev.berth.gateway.testing.LocalRegistry;
import dev.berth.gateway.testing.ScriptedLifecycle;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real docker CLI (28, API 1.50) against the gateway on a unix socket, the real engine-service behind it, and a
 * real registry holding the busybox fixture: pull, list, inspect, tag, history, push, save and load, remove; and the
 * raw answers the CLI turns into its messages. The steps build on each other, in order.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerCliImageTests {

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Path SOCKET = DIRECTORY.resolve("run/docker.sock");

	private static EngineProcess engine;

	/** Containers are lifecycle-service's: each test says which ones use images. */
	private static final ScriptedLifecycle lifecycle = ScriptedLifecycle.start();

	private static volatile List<String> containers = List.of();

	private static LocalRegistry registry;

	private static String busybox;

	private final UnixHttp http = new UnixHttp(SOCKET);

	private final JsonMapper json = JsonMapper.builder().build();

	@DynamicPropertySource
	static void gateway(DynamicPropertyRegistry properties) throws Exception {
		registry = LocalRegistry.start();
		registry.push("busybox", "library/busybox:latest");
		busybox = registry.reference("library/busybox:latest");
		engine = EngineProcess.start();
		lifecycle.unary(ContainerServiceGrpc.getListMethod(), (request) -> ListResponse.newBuilder()
			.addAllContainersJson(containers.stream().map(ByteString::copyFromUtf8).toList())
			.build());
		lifecycle.unary(NodeServiceGrpc.getRemoveLayersMethod(), (request) -> RemoveLayersResponse.getDefaultInstance());
		properties.add("berth.gateway.hosts", () -> "unix://" + SOCKET);
		properties.add("berth.gateway.engine", engine::address);
		properties.add("berth.gateway.lifecycle", lifecycle::address);
	}

	@AfterAll
	static void stop() throws InterruptedException {
		try {
			if (engine != null) {
				engine.close();
			}
			if (registry != null) {
				registry.close();
			}
			lifecycle.close();
		}
		finally {
			Commands.deleteRecursively(DIRECTORY);
		}
	}

	@Test
	@Order(1)
	void versionShowsTheEngine() {
		assertThat(docker("version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}").ok())
			.isEqualTo("1.50 1.24 linux\n");
		assertThat(docker("version", "--format", "{{.Server.Platform.Name}}").ok()).startsWith("Berth");
	}

	@Test
	@Order(2)
	void pullStreamsProgressAndEndsWithTheStatus() {
		String out = docker("pull", busybox).ok();
		assertThat(out).contains("latest: Pulling from library/busybox")
			.contains("Pull complete")
			.contains("Digest: sha256:")
			.contains("Status: Downloaded newer image for " + busybox);
	}

	@Test
	@Order(3)
	void aMissingTagIsAnErrorResponseBeforeAnyProgress() throws IOException {
		Commands.Result result = docker("pull", registry.reference("library/busybox:missing"));
		assertThat(result.exitCode()).isNotZero();
		assertThat(result.stderr()).contains("Error response from daemon: ").contains("manifest unknown");
		UnixHttp.Response raw = this.http.send("POST",
				"/v1.50/images/create?fromImage=" + registry.reference("library/busybox") + "&tag=missing", Map.of(),
				new byte[0]);
		assertThat(raw.status()).isEqualTo(404);
		assertThat(message(raw)).contains("manifest unknown");
	}

	@Test
	@Order(4)
	void imagesListsThePulledImage() throws IOException {
		assertThat(docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}").ok())
			.isEqualTo(busybox + " 2.02MB\n");
		// docker-py's list form of filters, and the CLI's set form
		String repository = registry.reference("library/busybox");
		for (String filters : List.of("{\"reference\":[\"" + repository + "\"]}",
				"{\"reference\":{\"" + repository + "\":true}}")) {
			JsonNode images = this.json.readTree(
					this.http.get("/v1.50/images/json?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8)).body());
			assertThat(images).hasSize(1);
			assertThat(images.get(0).path("RepoTags").get(0).asString()).isEqualTo(busybox);
			assertThat(images.get(0).path("Labels").path("dev.berth.fixture").asString()).isEqualTo("busybox");
			assertThat(images.get(0).has("VirtualSize")).as("VirtualSize left in 1.44").isFalse();
		}
		JsonNode old = this.json.readTree(this.http.get("/v1.41/images/json").body());
		assertThat(old.get(0).path("VirtualSize").asLong()).isEqualTo(old.get(0).path("Size").asLong());
		assertThat(this.json.readTree(this.http.get("/images/json?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D").body()))
			.isEmpty();
	}

	@Test
	@Order(5)
	void inspectAndTagHandleNamesWithSlashesAndColons() throws IOException {
		String id = docker("image", "inspect", "--format", "{{.Id}}", busybox).ok().strip();
		assertThat(id).matches("sha256:[0-9a-f]{64}");
		docker("tag", busybox, "localhost:5000/app:1").ok();
		assertThat(docker("image", "inspect", "--format",
				"{{.Id}} {{json .RepoTags}} {{.Os}}/{{.Architecture}} {{json .Config.Cmd}} {{.RootFS.Type}}",
				"localhost:5000/app:1").ok())
			.isEqualTo(id + " [\"" + busybox + "\",\"localhost:5000/app:1\"] linux/amd64 [\"sh\"] layers\n");
		UnixHttp.Response raw = this.http.get("/v1.50/images/localhost:5000/app:1/json");
		assertThat(raw.status()).isEqualTo(200);
		JsonNode inspect = this.json.readTree(raw.body());
		assertThat(inspect.path("RootFS").path("Layers")).hasSize(1);
		assertThat(inspect.path("Metadata").path("LastTagTime").asString()).isNotEmpty();
		// dockerd shows every field of the container config, zero values included
		assertThat(inspect.path("Config").path("Hostname").isString()).isTrue();
		assertThat(inspect.path("Config").path("Entrypoint").isNull()).isTrue();
		assertThat(inspect.path("Config").path("Env").get(0).asString()).startsWith("PATH=");
		assertThat(inspect.path("Config").path("Labels").path("dev.berth.fixture").asString()).isEqualTo("busybox");
		UnixHttp.Response tagged = this.http.send("POST", "/v1.50/images/" + id.substring(7, 19) + "/tag?repo=other&tag=2",
				Map.of(), new byte[0]);
		assertThat(tagged.status()).isEqualTo(201);
		assertThat(docker("rmi", "other:2").ok()).isEqualTo("Untagged: other:2\n");
	}

	@Test
	@Order(6)
	void historyListsTheFixturesSteps() {
		assertThat(docker("history", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}", busybox).ok().lines().toList())
			.hasSize(2)
			.last()
			.isEqualTo("<missing>|registry-fixtures.sh: busybox_rootfs|2.02MB");
	}

	@Test
	@Order(7)
	void pushSendsATagToTheRegistry() {
		String target = registry.reference("pushed/app:2");
		docker("tag", busybox, target).ok();
		String out = docker("push", target).ok();
		assertThat(out).contains("The push refers to repository [" + registry.reference("pushed/app") + "]")
			.containsPattern("2: digest: sha256:[0-9a-f]{64} size: \\d+");
		docker("rmi", target).ok();
	}

	@Test
	@Order(8)
	void saveRemoveAndLoadGiveTheImagesBack() throws IOException {
		Path archive = DIRECTORY.resolve("images.tar");
		docker("save", "-o", archive.toString(), busybox, "localhost:5000/app:1").ok();
		assertThat(Files.size(archive)).isGreaterThan(2_000_000);
		String removed = docker("rmi", busybox, "localhost:5000/app:1").ok();
		assertThat(removed).contains("Untagged: localhost:5000/app:1")
			.contains("Untagged: " + busybox)
			.containsPattern("Deleted: sha256:[0-9a-f]{64}");
		assertThat(docker("images", "-q").ok()).isEmpty();
		assertThat(docker("load", "-i", archive.toString()).ok().lines().toList())
			.containsExactlyInAnyOrder("Loaded image: " + busybox, "Loaded image: localhost:5000/app:1");
		// the pipe streams both ways: save's chunked tar straight into load's request body
		String piped = Commands.run(List.of("bash", "-c", "set -o pipefail; docker save \"$1\" | docker load", "-", busybox),
				environment()).ok();
		assertThat(piped).isEqualTo("Loaded image: " + busybox + "\n");
		assertThat(docker("images", "--format", "{{.Repository}}:{{.Tag}}").ok().lines().toList())
			.containsExactlyInAnyOrder(busybox, "localhost:5000/app:1");
	}

	@Test
	@Order(9)
	void errorsHaveDockersStatusesAndMessages() throws IOException {
		UnixHttp.Response missing = this.http.get("/v1.50/images/nope/json");
		assertThat(missing.status()).isEqualTo(404);
		assertThat(missing.text()).isEqualTo("{\"message\":\"No such image: nope:latest\"}");
		Commands.Result inspect = docker("image", "inspect", "nope");
		assertThat(inspect.exitCode()).isNotZero();
		assertThat(inspect.stderr()).contains("No such image: nope:latest");
		assertThat(this.http.send("DELETE", "/images/nope", Map.of(), new byte[0]).status()).isEqualTo(404);
		assertThat(this.http.get("/images/get?names=nope").status()).isEqualTo(404);
		assertThat(this.http.get("/images/json?filters=%7Bbad").status()).isEqualTo(400);
		assertThat(this.http.get("/v1.51/images/json").status()).isEqualTo(400);
		UnixHttp.Response login = this.http.send("POST", "/v1.50/auth", Map.of("Content-Type", "application/json"),
				("{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"" + registry.reference("").replace("/", "")
						+ "\"}").getBytes(StandardCharsets.UTF_8));
		assertThat(login.status()).isEqualTo(200);
		assertThat(login.text()).isEqualTo("{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}");
	}

	@Test
	@Order(10)
	void aPullThatFailsAfterItsFirstProgressEndsItsStreamWithTheError() throws IOException {
		registry.push("layered", "library/layered:latest");
		registry.corruptLayers("library/layered:latest");
		UnixHttp.Response raw = this.http.send("POST", "/v1.50/images/create?fromImage="
				+ registry.reference("library/layered") + "&tag=latest", Map.of(), new byte[0]);
		assertThat(raw.status()).isEqualTo(200);
		List<String> lines = raw.text().lines().toList();
		assertThat(lines).hasSizeGreaterThan(1);
		JsonNode last = this.json.readTree(lines.get(lines.size() - 1));
		assertThat(last.path("errorDetail").path("message").asString()).contains("digest").isEqualTo(last.path("error").asString());
		Commands.Result cli = docker("pull", registry.reference("library/layered:latest"));
		assertThat(cli.exitCode()).isNotZero();
		assertThat(cli.stdout()).contains("Pulling fs layer");
		assertThat(cli.stderr()).contains(last.path("error").asString());
	}

	@Test
	@Order(11)
	void importMakesAnImageOfARootFilesystemTar() throws IOException {
		Path rootfs = Files.createDirectories(DIRECTORY.resolve("rootfs/etc"));
		Files.writeString(rootfs.resolve("hostname"), "imported\n");
		Path tar = DIRECTORY.resolve("rootfs.tar");
		Commands.ok("tar", "-C", DIRECTORY.resolve("rootfs").toString(), "-cf", tar.toString(), "etc");
		String id = Commands.run(List.of("bash", "-c", "docker import --change 'CMD [\"sh\", \"-c\", \"true\"]' -m hello - imported:1 < \"$1\"",
				"-", tar.toString()), environment()).ok().strip();
		assertThat(id).matches("sha256:[0-9a-f]{64}");
		assertThat(docker("image", "inspect", "--format", "{{.Id}} {{json .Config.Cmd}} {{.Comment}}", "imported:1").ok())
			.isEqualTo(id + " [\"sh\",\"-c\",\"true\"] hello\n");
		assertThat(this.http.send("POST", "/images/create?fromSrc=http://example.com/a.tar", Map.of(), new byte[0]).status())
			.isEqualTo(400);
	}

	@Test
	@Order(12)
	void rmiAndPruneKnowTheContainersAndTheNodesFreeTheLayersLeftOver() throws IOException, InterruptedException {
		docker("pull", busybox).ok();
		// its only other tag: busybox's name is then the image's one reference, which a container's use protects
		docker("rmi", "localhost:5000/app:1").ok();
		String id = docker("image", "inspect", "--format", "{{.Id}}", busybox).ok().strip();
		String chainId = docker("image", "inspect", "--format", "{{index .RootFS.Layers 0}}", busybox).ok().strip();
		String container = "c0ffee" + "0".repeat(58);
		containers = List.of(summary(container, id, "exited"));
		Commands.Result byName = docker("rmi", busybox);
		assertThat(byName.exitCode()).isNotZero();
		assertThat(byName.stderr()).contains("conflict: unable to remove repository reference \"" + busybox
				+ "\" (must force) - container c0ffee000000 is using its referenced image " + id.substring(7, 19));
		// a paused container counts as running, as in dockerd
		containers = List.of(summary(container, id, "paused"));
		assertThat(docker("rmi", "-f", id).stderr()).contains("conflict: unable to delete " + id.substring(7, 19)
				+ " (cannot be forced) - image is being used by running container c0ffee000000");
		assertThat(docker("image", "prune", "-a", "-f").ok()).doesNotContain(id);
		JsonNode diskUsage = this.json.readTree(this.http.get("/v1.50/system/df?type=image").body());
		assertThat(diskUsage.path("Images").values())
			.filteredOn((image) -> image.path("Id").asString().equals(id))
			.singleElement()
			.satisfies((image) -> assertThat(image.path("Containers").asLong()).isEqualTo(1));

		containers = List.of();
		lifecycle.forgetRequests();
		assertThat(docker("image", "prune", "-a", "-f").ok()).contains("deleted: " + id);
		assertThat(docker("images", "-q").ok()).isEmpty();
		Object request;
		do {
			request = lifecycle.nextRequest();
		}
		while (!(request instanceof RemoveLayersRequest));
		assertThat(((RemoveLayersRequest) request).getChainIdsList()).contains(chainId);
	}

	private static String summary(String container, String image, String state) {
		return "{\"Id\":\"" + container + "\",\"ImageID\":\"" + image + "\",\"State\":\"" + state + "\"}";
	}

	private Commands.Result docker(String... arguments) {
		List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + SOCKET));
		command.addAll(List.of(arguments));
		return Commands.run(command, environment());
	}

	// a config directory of the test's own: the CLI must not read or write root's
	private static Map<String, String> environment() {
		return Map.of("DOCKER_CONFIG", DIRECTORY.resolve("docker-config").toString(), "DOCKER_HOST", "unix://" + SOCKET);
	}

	private String message(UnixHttp.Response response) {
		return this.json.readTree(response.body()).path("message").asString();
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("berth-gateway-cli-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
