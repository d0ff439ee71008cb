package dev.berth.gateway.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.contracts.lifecycle.v1.ExecCreateRequest;
import dev.berth.contracts.lifecycle.v1.ExecCreateResponse;
import dev.berth.contracts.lifecycle.v1.ExecInspectResponse;
import dev.berth.contracts.lifecycle.v1.ExecResizeRequest;
import dev.berth.contracts.lifecycle.v1.ExecResizeResponse;
import dev.berth.contracts.lifecycle.v1.ExecServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ExecStartRequest;
import dev.berth.contracts.lifecycle.v1.ExecStartResponse;
import dev.berth.contracts.lifecycle.v1.Output;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.contracts.lifecycle.v1.StreamHeader;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.ScriptedLifecycle;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exec routes byte for byte over the gateway's unix socket, with a scripted lifecycle-service: create, a start
 * that hijacks the connection only once the exec runs, a detached start, resize and inspect.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class ExecProtocolTests {

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Path SOCKET = DIRECTORY.resolve("docker.sock");

	private static final ScriptedLifecycle lifecycle = ScriptedLifecycle.start();

	private final UnixHttp http = new UnixHttp(SOCKET);

	private final JsonMapper json = JsonMapper.builder().build();

	@DynamicPropertySource
	static void gateway(DynamicPropertyRegistry properties) {
		properties.add("berth.gateway.hosts", () -> "unix://" + SOCKET);
		properties.add("berth.gateway.lifecycle", lifecycle::address);
	}

	@AfterAll
	static void stop() throws InterruptedException {
		try {
			lifecycle.close();
		}
		finally {
			Commands.deleteRecursively(DIRECTORY);
		}
	}

	@BeforeEach
	void forgetTheLastTest() {
		lifecycle.reset();
	}

	@Test
	void createAnswers201WithTheIdAndPassesTheConfigOn() throws Exception {
		lifecycle.unary(ExecServiceGrpc.getCreateMethod(), (request) -> ExecCreateResponse.newBuilder().setId("e1").build());
		byte[] config = "{\"Cmd\":[\"sh\"],\"AttachStdin\":true,\"Tty\":true}".getBytes(StandardCharsets.UTF_8);
		UnixHttp.Response created = this.http.send("POST", "/v1.50/containers/web/exec",
				Map.of("Content-Type", "application/json"), config);
		assertThat(created.status()).isEqualTo(201);
		assertThat(created.text()).isEqualTo("{\"Id\":\"e1\"}");
		ExecCreateRequest request = (ExecCreateRequest) lifecycle.nextRequest();
		assertThat(request.getContainer()).isEqualTo("web");
		assertThat(request.getBodyJson().toByteArray()).isEqualTo(config);
	}

	@Test
	void anUpgradedStartCarriesATerminalsBytesBothWays() throws Exception {
		lifecycle.bidi(ExecServiceGrpc.getStartMethod(), ExecProtocolTests::shell);
		try (UnixHttp.Exchange start = this.http.open("POST", "/v1.50/exec/e1/start",
				Map.of("Connection", "Upgrade", "Upgrade", "tcp", "Content-Type", "application/json"),
				"{\"Detach\":false,\"Tty\":true,\"ConsoleSize\":[24,80]}".getBytes(StandardCharsets.UTF_8))) {
			assertThat(start.status()).isEqualTo(101);
			assertThat(start.headers()).containsEntry("content-type", "application/vnd.docker.raw-stream")
				.containsEntry("upgrade", "tcp");
			assertThat(new String(start.in().readNBytes(2), StandardCharsets.UTF_8)).isEqualTo("$ ");
			start.out().write("ls\n".getBytes(StandardCharsets.UTF_8));
			start.out().flush();
			assertThat(new String(start.in().readNBytes(3), StandardCharsets.UTF_8)).isEqualTo("ls\n");
			start.shutdownOutput();
			assertThat(start.in().readAllBytes()).isEmpty();
		}
		ExecStartRequest first = (ExecStartRequest) lifecycle.nextRequest();
		assertThat(first.getExecId()).isEqualTo("e1");
		assertThat(first.getTty()).isTrue();
		assertThat(first.getConsoleHeight()).isEqualTo(24);
		assertThat(first.getConsoleWidth()).isEqualTo(80);
		assertThat(((ExecStartRequest) lifecycle.nextRequest()).getData().toStringUtf8()).isEqualTo("ls\n");
		assertThat(((ExecStartRequest) lifecycle.nextRequest()).getCloseStdin()).isTrue();
	}

	@Test
	void aDetachedStartAnswers200OnceTheExecRuns() throws Exception {
		lifecycle.bidi(ExecServiceGrpc.getStartMethod(), ExecProtocolTests::shell);
		UnixHttp.Response start = this.http.send("POST", "/exec/e1/start", Map.of("Content-Type", "application/json"),
				"{\"Detach\":true}".getBytes(StandardCharsets.UTF_8));
		assertThat(start.status()).isEqualTo(200);
		assertThat(start.body()).isEmpty();
		assertThat(((ExecStartRequest) lifecycle.nextRequest()).getDetach()).isTrue();
	}

	@Test
	void aStartOfAnUnknownExecIsA404() throws IOException {
		lifecycle.bidi(ExecServiceGrpc.getStartMethod(), (answers) -> new ScriptedLifecycle.Requests<>() {

			@Override
			public void onNext(ExecStartRequest request) {
				answers.onError(Status.NOT_FOUND.withDescription("No such exec instance: nope").asRuntimeException());
			}

		});
		UnixHttp.Response start = this.http.send("POST", "/exec/nope/start",
				Map.of("Connection", "Upgrade", "Upgrade", "tcp", "Content-Type", "application/json"),
				"{}".getBytes(StandardCharsets.UTF_8));
		assertThat(start.status()).isEqualTo(404);
		assertThat(this.json.readTree(start.body()).path("message").asString()).isEqualTo("No such exec instance: nope");
	}

	@Test
	void resizeAndInspectReachTheService() throws Exception {
		lifecycle.unary(ExecServiceGrpc.getResizeMethod(), (request) -> ExecResizeResponse.getDefaultInstance());
		lifecycle.unary(ExecServiceGrpc.getInspectMethod(), (request) -> ExecInspectResponse.newBuilder()
			.setJson(ByteString.copyFromUtf8("{\"ID\":\"" + request.getExecId() + "\",\"ExitCode\":0}"))
			.build());
		assertThat(this.http.send("POST", "/exec/e1/resize?h=10&w=20", Map.of(), new byte[0]).status()).isEqualTo(200);
		ExecResizeRequest resize = (ExecResizeRequest) lifecycle.nextRequest();
		assertThat(resize.getHeight()).isEqualTo(10);
		assertThat(resize.getWidth()).isEqualTo(20);
		assertThat(this.http.get("/exec/e1/json").text()).isEqualTo("{\"ID\":\"e1\",\"ExitCode\":0}");
	}

	/**
	 * An exec with a terminal: it runs at once and prints a prompt, echoes stdin, ends when stdin ends; detached, it
	 * only says it runs.
	 */
	static StreamObserver<ExecStartRequest> shell(StreamObserver<ExecStartResponse> answers) {
		return new ScriptedLifecycle.Requests<>() {

			@Override
			public void onNext(ExecStartRequest request) {
				if (!request.getExecId().isEmpty()) {
					answers.onNext(ExecStartResponse.newBuilder().setStarted(StreamHeader.newBuilder().setTty(true)).build());
					if (request.getDetach()) {
						answers.onCompleted();
						return;
					}
					answers.onNext(output("$ "));
				}
				else if (request.getCloseStdin()) {
					answers.onCompleted();
				}
				else {
					answers.onNext(output(request.getData().toStringUtf8()));
				}
			}

		};
	}

	private static ExecStartResponse output(String data) {
		return ExecStartResponse.newBuilder()
			.setOutput(Output.newBuilder().setStream(Stream.STREAM_STDOUT).setData(ByteString.copyFromUtf8(data)))
			.build();
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("berth-gateway-exec-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
