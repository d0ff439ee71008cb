package dev.berth.gateway.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.contracts.engine.v1.DiskUsageResponse;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageDiskUsage;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ListResponse;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.ScriptedLifecycle;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /info} and {@code GET /system/df} with scripted services behind the gateway: the counts come from their
 * answers, the host's facts from this machine, the registry settings from the properties berthd passes; and the
 * CLI's {@code docker info} and {@code docker system df} read them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class SystemInfoTests {

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Path SOCKET = DIRECTORY.resolve("docker.sock");

	private static final ScriptedLifecycle services = ScriptedLifecycle.start();

	private static final String IMAGE = "sha256:3711e679c8b3c9a1fc2a21e14ebb7712fe8d7f25254c3277437d4cfe7ae44d90";

	private final UnixHttp http = new UnixHttp(SOCKET);

	private final JsonMapper json = JsonMapper.builder().build();

	@DynamicPropertySource
	static void gateway(DynamicPropertyRegistry properties) {
		properties.add("berth.gateway.hosts", () -> "unix://" + SOCKET);
		properties.add("berth.gateway.lifecycle", services::address);
		properties.add("berth.gateway.engine", services::address);
		properties.add("berth.data-root", () -> "/srv/berth");
		properties.add("berth.registry-mirrors[0]", () -> "http://127.0.0.1:5999");
		properties.add("berth.insecure-registries[0]", () -> "10.1.0.0/16");
		properties.add("berth.insecure-registries[1]", () -> "registry.test:5000");
		services.unary(ContainerServiceGrpc.getListMethod(), (request) -> ListResponse.newBuilder()
			.addAllContainersJson(List.of(container("a", "running"), container("b", "paused"), container("c", "exited"),
					container("d", "created")))
			.build());
		Image image = Image.newBuilder().setId(IMAGE).addRepoTags("bb:latest").setSize(1982291)
			.setConfigJson(ByteString.copyFromUtf8("{}")).build();
		services.unary(ImageServiceGrpc.getListMethod(),
				(request) -> dev.berth.contracts.engine.v1.ListResponse.newBuilder().addImages(image).build());
		services.unary(ImageServiceGrpc.getDiskUsageMethod(), (request) -> DiskUsageResponse.newBuilder()
			.addImages(ImageDiskUsage.newBuilder().setImage(image).setContainers(request.getUsersCount()))
			.setLayersSize(1982291)
			.build());
	}

	@AfterAll
	static void stop() throws InterruptedException {
		try {
			services.close();
		}
		finally {
			Commands.deleteRecursively(DIRECTORY);
		}
	}

	@Test
	void infoCountsContainersByStateAndTellsTheHostsFacts() throws IOException {
		JsonNode info = this.json.readTree(this.http.get("/v1.50/info").body());
		assertThat(info.path("Containers").asInt()).isEqualTo(4);
		assertThat(info.path("ContainersRunning").asInt()).isEqualTo(1);
		assertThat(info.path("ContainersPaused").asInt()).isEqualTo(1);
		assertThat(info.path("ContainersStopped").asInt()).isEqualTo(2);
		assertThat(info.path("Images").asInt()).isEqualTo(1);
		assertThat(info.path("NCPU").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
		assertThat(info.path("MemTotal").asLong()).isPositive();
		assertThat(info.path("KernelVersion").asString())
			.isEqualTo(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
		assertThat(info.path("Name").asString()).isEqualTo(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
		assertThat(info.path("CgroupVersion").asString())
			.isEqualTo(Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1");
		assertThat(info.path("ID").asString()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
			.as("the same on every call").isEqualTo(this.json.readTree(this.http.get("/info").body()).path("ID").asString());
		assertThat(info.path("DockerRootDir").asString()).isEqualTo("/srv/berth");
		assertThat(info.path("Driver").asString()).isEqualTo("overlay2");
		assertThat(info.path("LoggingDriver").asString()).isEqualTo("json-file");
		assertThat(info.path("OSType").asString()).isEqualTo("linux");
		assertThat(info.path("Swarm").path("LocalNodeState").asString()).isEqualTo("inactive");
		assertThat(info.path("DefaultRuntime").asString()).isEqualTo("runc");
		assertThat(info.path("Runtimes").has("runc")).isTrue();
		assertThat(info.path("SecurityOptions").get(0).asString()).isEqualTo("name=seccomp,profile=builtin");
		JsonNode registry = info.path("RegistryConfig");
		assertThat(registry.path("Mirrors").get(0).asString()).isEqualTo("http://127.0.0.1:5999/");
		assertThat(registry.path("InsecureRegistryCIDRs").toString()).isEqualTo("[\"10.1.0.0/16\",\"::1/128\",\"127.0.0.0/8\"]");
		assertThat(registry.path("IndexConfigs").path("docker.io").toString())
			.isEqualTo("{\"Name\":\"docker.io\",\"Mirrors\":[\"http://127.0.0.1:5999/\"],\"Secure\":true,\"Official\":true}");
		assertThat(registry.path("IndexConfigs").path("registry.test:5000").path("Secure").asBoolean()).isFalse();
	}

	@Test
	void theCliReadsInfoAndDiskUsage() {
		assertThat(Commands.docker(SOCKET, DIRECTORY, "info", "--format",
				"{{.Containers}} {{.ContainersRunning}} {{.Images}} {{.Driver}} {{.Swarm.LocalNodeState}}").ok())
			.isEqualTo("4 1 1 overlay2 inactive\n");
		String df = Commands.docker(SOCKET, DIRECTORY, "system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}")
			.ok();
		// the CLI counts running and paused containers as active
		assertThat(df.lines().toList()).startsWith("Images 1 1", "Containers 4 2");
	}

	@Test
	void diskUsageAnswersOnlyThePartsAskedFor() throws IOException {
		JsonNode images = this.json.readTree(this.http.get("/v1.50/system/df?type=image").body());
		assertThat(images.path("LayersSize").asLong()).isEqualTo(1982291);
		assertThat(images.path("Images").get(0).path("Containers").asInt()).isEqualTo(4);
		assertThat(images.has("Containers")).isFalse();
		JsonNode all = this.json.readTree(this.http.get("/v1.41/system/df?type=image").body());
		assertThat(all.path("Containers")).hasSize(4);
		assertThat(all.path("Volumes")).isEmpty();
		assertThat(this.http.get("/system/df?type=disk").status()).isEqualTo(400);
	}

	private static ByteString container(String id, String state) {
		return ByteString.copyFromUtf8("{\"Id\":\"" + id + "\",\"Names\":[\"/" + id + "\"],\"Image\":\"bb\",\"ImageID\":\""
				+ IMAGE + "\",\"Command\":\"sh\",\"Created\":1795898320,\"State\":\"" + state
				+ "\",\"Status\":\"\",\"Ports\":[],\"Labels\":{},\"SizeRw\":0,\"SizeRootFs\":1982291,\"Mounts\":[]}");
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("berth-gateway-system-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
