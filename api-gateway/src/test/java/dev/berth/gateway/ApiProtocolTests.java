package dev.berth.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.grpc.Status;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.berth.gateway.api.ResponseStreams;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Docker protocol around every route, over the gateway's real unix socket, with no engine behind it: ping,
 * version, version prefixes, error shapes, limits.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class ApiProtocolTests {

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Path SOCKET = DIRECTORY.resolve("docker.sock");

	private final UnixHttp http = new UnixHttp(SOCKET);

	private final JsonMapper json = JsonMapper.builder().build();

	@DynamicPropertySource
	static void gateway(DynamicPropertyRegistry properties) {
		properties.add("berth.gateway.hosts", () -> "unix://" + SOCKET);
		// nothing listens on port 1: every engine call fails to connect
		properties.add("berth.gateway.engine", () -> "127.0.0.1:1");
		properties.add("berth.gateway.max-body-size", () -> "1024");
	}

	@AfterAll
	static void removeDirectory() {
		Commands.deleteRecursively(DIRECTORY);
	}

	@Test
	void theSocketIsOnlyForRootAndItsGroup() throws IOException {
		assertThat(Files.getOwner(SOCKET).getName()).isEqualTo(System.getProperty("user.name"));
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(SOCKET))).isEqualTo("rw-rw----");
	}

	@Test
	void pingAnswersWithTheHeadersTheCliNegotiatesFrom() throws IOException {
		for (String method : new String[] { "HEAD", "GET" }) {
			UnixHttp.Response ping = this.http.send(method, "/_ping", Map.of(), new byte[0]);
			assertThat(ping.status()).isEqualTo(200);
			assertThat(ping.headers()).containsEntry("api-version", "1.50")
				.containsEntry("ostype", "linux")
				.containsEntry("docker-experimental", "false")
				.containsEntry("builder-version", "1")
				.containsEntry("cache-control", "no-cache, no-store, must-revalidate")
				.containsEntry("pragma", "no-cache");
			assertThat(ping.text()).isEqualTo(method.equals("GET") ? "OK" : "");
		}
		assertThat(this.http.get("/v1.24/_ping").status()).isEqualTo(200);
	}

	@Test
	void versionNamesTheEngineComponentAndTheApiRange() throws IOException {
		UnixHttp.Response response = this.http.get("/v1.44/version");
		assertThat(response.status()).isEqualTo(200);
		JsonNode version = this.json.readTree(response.body());
		assertThat(version.path("ApiVersion").asString()).isEqualTo("1.50");
		assertThat(version.path("MinAPIVersion").asString()).isEqualTo("1.24");
		assertThat(version.path("Os").asString()).isEqualTo("linux");
		assertThat(version.path("Arch").asString()).isEqualTo("amd64");
		assertThat(version.path("KernelVersion").asString())
			.isEqualTo(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
		assertThat(version.path("Platform").path("Name").asString()).startsWith("Berth");
		assertThat(version.path("Components").get(0).path("Name").asString()).isEqualTo("Engine");
		assertThat(version.path("Components").get(0).path("Version").asString())
			.isEqualTo(version.path("Version").asString());
		assertThat(version.path("Components").get(0).path("Details").path("ApiVersion").asString()).isEqualTo("1.50");
	}

	@Test
	void versionsOutsideTheRangeAreRefusedAsDockerdRefusesThem() throws IOException {
		assertError(this.http.get("/v1.51/version"), 400,
				"client version 1.51 is too new. Maximum supported API version is 1.50");
		assertError(this.http.get("/v1.23/version"), 400,
				"client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version");
		// 1.100 is newer than 1.50, not older
		assertError(this.http.get("/v1.100/_ping"), 400,
				"client version 1.100 is too new. Maximum supported API version is 1.50");
	}

	@Test
	void unknownRoutesAndMethodsAreNotFound() throws IOException {
		assertError(this.http.get("/nothing/here"), 404, "page not found");
		assertError(this.http.get("/v1.50/nothing"), 404, "page not found");
		assertError(this.http.send("PUT", "/version", Map.of(), new byte[0]), 404, "page not found");
		assertError(this.http.get("/images/busybox/nothing"), 404, "page not found");
	}

	@Test
	void requestsTomcatRefusesStillGetDockersErrorShape() throws IOException {
		UnixHttp.Response encodedSlash = this.http.get("/images/a%2Fb/json");
		assertThat(encodedSlash.status()).isEqualTo(400);
		assertThat(encodedSlash.headers().get("content-type")).startsWith("application/json");
		assertThat(message(encodedSlash)).isNotEmpty();
	}

	@Test
	void aTarStreamThatFailsMidwayIsCutNotFinished() throws IOException {
		// 64 KiB: more than Tomcat buffers, so the 200 and the first bytes have gone out when it fails
		assertThatThrownBy(() -> this.http.get("/test/broken-tar"))
			.as("the client must not see a chunked body that ends properly")
			.isInstanceOf(IOException.class);
		// one that fails before its first chunk, or while its first bytes are still in the buffer, is an ordinary error
		assertError(this.http.get("/test/refused-tar"), 404, "No such image: nope:latest");
		assertError(this.http.get("/test/barely-started-tar"), 404, "No such image: nope:latest");
	}

	@Test
	void malformedFiltersAreBadRequestsInEitherForm() throws IOException {
		UnixHttp.Response broken = this.http.get("/v1.50/images/json?filters=%7Bbad");
		assertThat(broken.status()).isEqualTo(400);
		assertThat(message(broken)).startsWith("invalid filters: ");
		assertThat(this.http.get("/images/json?filters=%7B%22dangling%22%3A%22true%22%7D").status()).isEqualTo(400);
		assertThat(this.http.get("/images/json?filters=%5B%5D").status()).isEqualTo(400);
	}

	@Test
	void anEngineThatCannotBeReachedIsABadGateway() throws IOException {
		UnixHttp.Response response = this.http.get("/images/json?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D");
		assertThat(response.status()).isEqualTo(502);
		assertThat(message(response)).startsWith("cannot reach the Berth engine");
		// a pull that fails before its first event is an error response, not a 200 stream
		UnixHttp.Response pull = this.http.send("POST", "/images/create?fromImage=busybox&tag=latest", Map.of(),
				new byte[0]);
		assertThat(pull.status()).isEqualTo(502);
		assertThat(pull.headers().get("content-type")).startsWith("application/json");
	}

	@Test
	void jsonBodiesAreBounded() throws IOException {
		UnixHttp.Response large = this.http.send("POST", "/auth", Map.of("Content-Type", "application/json"),
				("{\"username\":\"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8));
		assertThat(large.status()).isEqualTo(413);
		UnixHttp.Response deep = this.http.send("POST", "/auth", Map.of("Content-Type", "application/json"),
				("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}").getBytes(StandardCharsets.UTF_8));
		assertThat(deep.status()).isEqualTo(400);
		assertThat(message(deep)).startsWith("invalid JSON");
	}

	/** Streams whose service fails, to see what reaches the client. */
	@TestConfiguration(proxyBeanMethods = false)
	static class FailingStreams {

		@RestController
		static class Routes {

			private final ResponseStreams streams;

			Routes(ResponseStreams streams) {
				this.streams = streams;
			}

			@GetMapping("/test/broken-tar")
			void brokenTar(HttpServletResponse response) throws IOException {
				this.streams.bytes(response, "application/x-tar", () -> failingAfter(List.of(new byte[65536])), (b) -> b);
			}

			@GetMapping("/test/barely-started-tar")
			void barelyStartedTar(HttpServletResponse response) throws IOException {
				this.streams.bytes(response, "application/x-tar", () -> failingAfter(List.of(new byte[512])), (b) -> b);
			}

			@GetMapping("/test/refused-tar")
			void refusedTar(HttpServletResponse response) throws IOException {
				this.streams.bytes(response, "application/x-tar", () -> failingAfter(List.of()), (b) -> b);
			}

			private static Iterator<byte[]> failingAfter(List<byte[]> chunks) {
				Iterator<byte[]> delivered = chunks.iterator();
				return new Iterator<>() {

					@Override
					public boolean hasNext() {
						if (delivered.hasNext()) {
							return true;
						}
						throw Status.NOT_FOUND.withDescription("No such image: nope:latest").asRuntimeException();
					}

					@Override
					public byte[] next() {
						return delivered.next();
					}

				};
			}

		}

	}

	private void assertError(UnixHttp.Response response, int status, String message) {
		assertThat(response.status()).as(response.text()).isEqualTo(status);
		assertThat(response.headers().get("content-type")).startsWith("application/json");
		assertThat(message(response)).isEqualTo(message);
	}

	private String message(UnixHttp.Response response) {
		JsonNode body = this.json.readTree(response.body());
		assertThat(body.properties()).hasSize(1);
		return body.path("message").asString();
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("berth-gateway-protocol-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
