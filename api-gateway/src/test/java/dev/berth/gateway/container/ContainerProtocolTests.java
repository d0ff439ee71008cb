package dev.berth.gateway.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.contracts.lifecycle.v1.AttachRequest;
import dev.berth.contracts.lifecycle.v1.AttachResponse;
import dev.berth.contracts.lifecycle.v1.CommitRequest;
import dev.berth.contracts.lifecycle.v1.CommitResponse;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.CreateRequest;
import dev.berth.contracts.lifecycle.v1.CreateResponse;
import dev.berth.contracts.lifecycle.v1.FilterValues;
import dev.berth.contracts.lifecycle.v1.InspectResponse;
import dev.berth.contracts.lifecycle.v1.KillResponse;
import dev.berth.contracts.lifecycle.v1.ListRequest;
import dev.berth.contracts.lifecycle.v1.ListResponse;
import dev.berth.contracts.lifecycle.v1.LogEntry;
import dev.berth.contracts.lifecycle.v1.LogsRequest;
import dev.berth.contracts.lifecycle.v1.LogsResponse;
import dev.berth.contracts.lifecycle.v1.Output;
import dev.berth.contracts.lifecycle.v1.PruneResponse;
import dev.berth.contracts.lifecycle.v1.RemoveResponse;
import dev.berth.contracts.lifecycle.v1.RenameResponse;
import dev.berth.contracts.lifecycle.v1.ResizeRequest;
import dev.berth.contracts.lifecycle.v1.ResizeResponse;
import dev.berth.contracts.lifecycle.v1.StartResponse;
import dev.berth.contracts.lifecycle.v1.StatsResponse;
import dev.berth.contracts.lifecycle.v1.StopRequest;
import dev.berth.contracts.lifecycle.v1.StopResponse;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.contracts.lifecycle.v1.StreamHeader;
import dev.berth.contracts.lifecycle.v1.TopProcess;
import dev.berth.contracts.lifecycle.v1.TopResponse;
import dev.berth.contracts.lifecycle.v1.WaitRegistered;
import dev.berth.contracts.lifecycle.v1.WaitRequest;
import dev.berth.contracts.lifecycle.v1.WaitResponse;
import dev.berth.contracts.lifecycle.v1.WaitResult;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.ScriptedLifecycle;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container routes byte for byte over the gateway's real unix socket, with a scripted lifecycle-service behind
 * it: status codes and error bodies, the order in which a wait's headers and body go out, stdcopy framing of logs,
 * and hijacked attach connections (101, stdin, half-close, the end of the stream).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class ContainerProtocolTests {

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Path SOCKET = DIRECTORY.resolve("docker.sock");

	private static final ScriptedLifecycle lifecycle = ScriptedLifecycle.start();

	private static final Map<String, String> UPGRADE = Map.of("Connection", "Upgrade", "Upgrade", "tcp");

	private final UnixHttp http = new UnixHttp(SOCKET);

	private final JsonMapper json = JsonMapper.builder().build();

	@DynamicPropertySource
	static void gateway(DynamicPropertyRegistry properties) {
		properties.add("berth.gateway.hosts", () -> "unix://" + SOCKET);
		properties.add("berth.gateway.lifecycle", lifecycle::address);
		properties.add("berth.gateway.engine", lifecycle::address);
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
	void createPassesTheBodyOnAsSentAndAnswers201() throws Exception {
		lifecycle.unary(ContainerServiceGrpc.getCreateMethod(),
				(request) -> CreateResponse.newBuilder().setId("c0ffee").build());
		byte[] body = "{\"Image\":\"busybox\",\"Cmd\":[\"true\"],\"Unknown\":{\"kept\":1}}".getBytes(StandardCharsets.UTF_8);
		UnixHttp.Response created = this.http.send("POST", "/v1.50/containers/create?name=/web&platform=linux/amd64",
				Map.of("Content-Type", "application/json"), body);
		assertThat(created.status()).isEqualTo(201);
		assertThat(created.text()).isEqualTo("{\"Id\":\"c0ffee\",\"Warnings\":[]}");
		CreateRequest request = (CreateRequest) lifecycle.nextRequest();
		assertThat(request.getName()).isEqualTo("web");
		assertThat(request.getPlatform()).isEqualTo("linux/amd64");
		assertThat(request.getBodyJson().toByteArray()).isEqualTo(body);
	}

	@Test
	void createRefusesBodiesThatAreNotOneJsonObject() throws IOException {
		assertError(this.http.send("POST", "/containers/create", Map.of(), new byte[0]), 400,
				"invalid JSON: got EOF while reading request body");
		assertError(post("/containers/create", "[1]"), 400, "invalid JSON: the body must be a JSON object");
		assertThat(message(post("/containers/create", "{\"Image\":"))).startsWith("invalid JSON: ");
	}

	@Test
	void commitPassesTheQueryAndTheBodyOnAndAnswers201WithTheImage() throws Exception {
		lifecycle.unary(ContainerServiceGrpc.getCommitMethod(),
				(request) -> CommitResponse.newBuilder().setId("sha256:c0ffee").build());
		UnixHttp.Response committed = post("/v1.50/commit?container=web&repo=repo%2Fx&tag=1&comment=msg&author=me"
				+ "&changes=" + encode("CMD [\"cat\",\"/made\"]") + "&changes=" + encode("ENV X=1"),
				"{\"User\":\"nobody\"}");
		assertThat(committed.status()).isEqualTo(201);
		assertThat(committed.text()).isEqualTo("{\"Id\":\"sha256:c0ffee\"}");
		CommitRequest request = (CommitRequest) lifecycle.nextRequest();
		assertThat(List.of(request.getContainer(), request.getRepository(), request.getTag(), request.getComment(),
				request.getAuthor())).containsExactly("web", "repo/x", "1", "msg", "me");
		// a change with commas is one change: the parameter repeats, it is never split
		assertThat(request.getChangesList()).containsExactly("CMD [\"cat\",\"/made\"]", "ENV X=1");
		assertThat(request.getPause()).as("paused unless told not to").isTrue();
		assertThat(this.json.readTree(request.getConfigJson().toByteArray()))
			.isEqualTo(this.json.readTree("{\"User\":\"nobody\"}"));

		assertThat(this.http.send("POST", "/commit?container=web&pause=0", Map.of(), new byte[0]).status()).isEqualTo(201);
		CommitRequest bare = (CommitRequest) lifecycle.nextRequest();
		assertThat(bare.getPause()).isFalse();
		assertThat(bare.getConfigJson()).as("no body, no config").isEmpty();
		assertThat(post("/commit?container=web&pause=false", "null").status()).isEqualTo(201);
		assertThat(((CommitRequest) lifecycle.nextRequest()).getConfigJson()).isEmpty();
		assertError(post("/commit?container=web", "[1]"), 400, "invalid JSON: the body must be a JSON object");
	}

	@Test
	void commitErrorsAreDockers() throws IOException {
		lifecycle.unary(ContainerServiceGrpc.getCommitMethod(), (request) -> {
			throw (request.getContainer().equals("nope") ? Status.NOT_FOUND.withDescription("No such container: nope")
					: Status.INVALID_ARGUMENT.withDescription("run is not a valid change command")).asRuntimeException();
		});
		assertError(post("/commit?container=nope", ""), 404, "No such container: nope");
		assertError(post("/commit?container=web&changes=RUN+true", ""), 400, "run is not a valid change command");
	}

	@Test
	void serviceErrorsBecomeDockersStatusesAndMessages() throws IOException {
		lifecycle.unary(ContainerServiceGrpc.getStartMethod(), (request) -> {
			throw Status.NOT_FOUND.withDescription("No such container: nope").asRuntimeException();
		});
		lifecycle.unary(ContainerServiceGrpc.getRemoveMethod(), (request) -> {
			throw Status.FAILED_PRECONDITION
				.withDescription("You cannot remove a running container c0ffee. Stop the container before attempting "
						+ "removal or force remove")
				.asRuntimeException();
		});
		lifecycle.unary(ContainerServiceGrpc.getRenameMethod(), (request) -> {
			throw Status.ALREADY_EXISTS
				.withDescription("Conflict. The container name \"/db\" is already in use by container \"c0ffee\".")
				.asRuntimeException();
		});
		lifecycle.unary(ContainerServiceGrpc.getKillMethod(), (request) -> {
			throw Status.INVALID_ARGUMENT.withDescription("Invalid signal: SIGNOPE").asRuntimeException();
		});
		assertError(post("/v1.50/containers/nope/start", ""), 404, "No such container: nope");
		assertError(this.http.send("DELETE", "/containers/web", Map.of(), new byte[0]), 409,
				"You cannot remove a running container c0ffee. Stop the container before attempting removal or force remove");
		assertError(post("/containers/web/rename?name=db", ""), 409,
				"Conflict. The container name \"/db\" is already in use by container \"c0ffee\".");
		assertError(post("/containers/web/kill?signal=SIGNOPE", ""), 400, "Invalid signal: SIGNOPE");
		assertError(post("/containers/web/rename", ""), 400, "name is required");
		assertError(post("/containers/web/stop?t=soon", ""), 400, "invalid value for t: soon");
	}

	@Test
	void startAndStopOfAContainerAlreadyThereAre304WithoutABody() throws Exception {
		lifecycle.unary(ContainerServiceGrpc.getStartMethod(),
				(request) -> StartResponse.newBuilder().setNotModified(true).build());
		lifecycle.unary(ContainerServiceGrpc.getStopMethod(),
				(request) -> StopResponse.newBuilder().setNotModified(request.getContainer().equals("stopped")).build());
		UnixHttp.Response started = post("/containers/web/start", "");
		assertThat(started.status()).isEqualTo(304);
		assertThat(started.body()).isEmpty();
		lifecycle.nextRequest();
		assertThat(post("/containers/stopped/stop", "").status()).isEqualTo(304);
		StopRequest bare = (StopRequest) lifecycle.nextRequest();
		assertThat(bare.hasTimeout()).as("no t: the container's own timeout").isFalse();
		UnixHttp.Response stopped = post("/containers/web/stop?t=0&signal=SIGINT", "");
		assertThat(stopped.status()).isEqualTo(204);
		StopRequest timed = (StopRequest) lifecycle.nextRequest();
		assertThat(timed.getTimeout()).isZero();
		assertThat(timed.hasTimeout()).isTrue();
		assertThat(timed.getSignal()).isEqualTo("SIGINT");
	}

	@Test
	void otherStateChangesAnswer204() throws IOException {
		lifecycle.unary(ContainerServiceGrpc.getKillMethod(), (request) -> KillResponse.getDefaultInstance());
		lifecycle.unary(ContainerServiceGrpc.getRemoveMethod(), (request) -> RemoveResponse.getDefaultInstance());
		lifecycle.unary(ContainerServiceGrpc.getRenameMethod(), (request) -> RenameResponse.getDefaultInstance());
		assertThat(post("/containers/web/kill?signal=HUP", "").status()).isEqualTo(204);
		assertThat(this.http.send("DELETE", "/containers/web?force=1&v=true", Map.of(), new byte[0]).status())
			.isEqualTo(204);
		assertThat(post("/containers/web/rename?name=db", "").status()).isEqualTo(204);
	}

	@Test
	void listAndInspectPassTheServicesJsonThrough() throws Exception {
		lifecycle.unary(ContainerServiceGrpc.getListMethod(), (request) -> ListResponse.newBuilder()
			.addContainersJson(ByteString.copyFromUtf8("{\"Id\":\"a\",\"Names\":[\"/one\"]}"))
			.addContainersJson(ByteString.copyFromUtf8("{\"Id\":\"b\",\"Names\":[\"/two\"]}"))
			.build());
		lifecycle.unary(ContainerServiceGrpc.getInspectMethod(), (request) -> InspectResponse.newBuilder()
			.setJson(ByteString.copyFromUtf8("{\"Id\":\"a\",\"SizeRw\":" + (request.getSize() ? 1 : 0) + "}"))
			.build());
		// the CLI's set form of filters, then docker-py's list form
		for (String filters : List.of("{\"status\":{\"exited\":true},\"label\":{\"a=b\":true}}",
				"{\"status\":[\"exited\"],\"label\":[\"a=b\"]}")) {
			UnixHttp.Response list = this.http
				.get("/v1.50/containers/json?all=1&size=true&limit=-1&filters=" + encode(filters));
			assertThat(list.status()).isEqualTo(200);
			assertThat(list.text()).isEqualTo("[{\"Id\":\"a\",\"Names\":[\"/one\"]},{\"Id\":\"b\",\"Names\":[\"/two\"]}]");
			ListRequest request = (ListRequest) lifecycle.nextRequest();
			assertThat(request.getAll()).isTrue();
			assertThat(request.getSize()).isTrue();
			assertThat(request.getLimit()).isZero();
			assertThat(request.getFiltersMap()).containsEntry("status",
					FilterValues.newBuilder().addValues("exited").build());
			assertThat(request.getFiltersMap()).containsEntry("label", FilterValues.newBuilder().addValues("a=b").build());
		}
		UnixHttp.Response inspect = this.http.get("/containers/a/json?size=1");
		assertThat(inspect.headers().get("content-type")).isEqualTo("application/json");
		assertThat(inspect.text()).isEqualTo("{\"Id\":\"a\",\"SizeRw\":1}");
	}

	@Test
	void topAndPruneAreShapedAsDockerShapesThem() throws IOException {
		lifecycle.unary(ContainerServiceGrpc.getTopMethod(), (request) -> TopResponse.newBuilder()
			.addAllTitles(List.of("PID", "CMD"))
			.addProcesses(TopProcess.newBuilder().addAllFields(List.of("1", request.getPsArgs())))
			.build());
		lifecycle.unary(ContainerServiceGrpc.getPruneMethod(), (request) -> PruneResponse.newBuilder()
			.addAllDeleted(request.getFiltersMap().isEmpty() ? List.of() : List.of("a"))
			.setSpaceReclaimed(12)
			.build());
		assertThat(this.http.get("/containers/web/top?ps_args=aux").text())
			.isEqualTo("{\"Titles\":[\"PID\",\"CMD\"],\"Processes\":[[\"1\",\"aux\"]]}");
		assertThat(post("/containers/prune", "").text()).isEqualTo("{\"ContainersDeleted\":null,\"SpaceReclaimed\":12}");
		assertThat(post("/containers/prune?filters=" + encode("{\"until\":[\"24h\"]}"), "").text())
			.isEqualTo("{\"ContainersDeleted\":[\"a\"],\"SpaceReclaimed\":12}");
	}

	@Test
	void waitSendsItsHeadersOnceRegisteredAndItsBodyWithTheResult() throws Exception {
		CountDownLatch headersRead = new CountDownLatch(1);
		lifecycle.serverStream(ContainerServiceGrpc.getWaitMethod(), (request, answers) -> {
			answers.onNext(WaitResponse.newBuilder().setRegistered(WaitRegistered.getDefaultInstance()).build());
			// the result exists only after the client has read the headers: they cannot have waited for it
			await(headersRead);
			answers.onNext(WaitResponse.newBuilder().setResult(WaitResult.newBuilder().setStatusCode(3)).build());
			answers.onCompleted();
		});
		try (UnixHttp.Exchange wait = this.http.open("POST", "/v1.50/containers/web/wait?condition=next-exit",
				Map.of(), new byte[0])) {
			assertThat(wait.status()).isEqualTo(200);
			assertThat(wait.headers().get("content-type")).isEqualTo("application/json");
			assertThat(wait.isChunked()).isTrue();
			headersRead.countDown();
			assertThat(new String(wait.nextChunk(), StandardCharsets.UTF_8))
				.isEqualTo("{\"StatusCode\":3,\"Error\":null}\n");
			assertThat(wait.nextChunk()).isNull();
		}
		assertThat(((WaitRequest) lifecycle.nextRequest()).getCondition()).isEqualTo("next-exit");
	}

	@Test
	void aWaitRefusedBeforeItIsRegisteredIsAnErrorResponse() throws Exception {
		lifecycle.serverStream(ContainerServiceGrpc.getWaitMethod(), (request, answers) -> answers
			.onError(Status.NOT_FOUND.withDescription("No such container: nope").asRuntimeException()));
		assertError(post("/containers/nope/wait", ""), 404, "No such container: nope");
		assertError(post("/containers/nope/wait?condition=later", ""), 400, "invalid condition: \"later\"");
		// before API 1.30 there were no conditions: not read, so not refused
		assertError(post("/v1.29/containers/nope/wait?condition=later", ""), 404, "No such container: nope");
		assertThat(((WaitRequest) lifecycle.nextRequest()).getCondition()).isEmpty();
	}

	@Test
	void aWaitThatFailsAfterRegisteringEndsWithTheErrorInItsBody() throws IOException {
		lifecycle.serverStream(ContainerServiceGrpc.getWaitMethod(), (request, answers) -> {
			answers.onNext(WaitResponse.newBuilder().setRegistered(WaitRegistered.getDefaultInstance()).build());
			if (request.getContainer().equals("removed")) {
				answers.onNext(WaitResponse.newBuilder()
					.setResult(WaitResult.newBuilder().setStatusCode(0).setError("removal failed"))
					.build());
				answers.onCompleted();
			}
			else {
				answers.onError(Status.UNAVAILABLE.withDescription("the node went away").asRuntimeException());
			}
		});
		assertThat(post("/containers/removed/wait?condition=removed", "").text())
			.isEqualTo("{\"StatusCode\":0,\"Error\":{\"Message\":\"removal failed\"}}\n");
		assertThat(post("/containers/lost/wait", "").text())
			.isEqualTo("{\"StatusCode\":-1,\"Error\":{\"Message\":\"the node went away\"}}\n");
	}

	@Test
	void logsAreFramedWithTimestampsUnlessTheContainerHasATerminal() throws Exception {
		long time = Instant.parse("2026-01-02T03:04:05.000000007Z").getEpochSecond() * 1_000_000_000L + 7;
		lifecycle.serverStream(ContainerServiceGrpc.getLogsMethod(), (request, answers) -> {
			boolean tty = request.getContainer().equals("tty");
			answers.onNext(LogsResponse.newBuilder().setHeader(StreamHeader.newBuilder().setTty(tty)).build());
			answers.onNext(entry(Stream.STREAM_STDOUT, "out\n", time));
			answers.onNext(entry(Stream.STREAM_STDERR, "err\n", time));
			if (request.getContainer().equals("broken")) {
				answers.onError(Status.INTERNAL.withDescription("log file truncated").asRuntimeException());
				return;
			}
			answers.onCompleted();
		});
		UnixHttp.Response logs = this.http
			.get("/v1.50/containers/web/logs?stdout=1&stderr=1&timestamps=1&since=1700000000.5&until=2026-01-02T03:04:05Z&tail=5");
		assertThat(logs.status()).isEqualTo(200);
		assertThat(logs.headers().get("content-type")).isEqualTo("application/vnd.docker.multiplexed-stream");
		assertThat(logs.body()).isEqualTo(concat(frame(1, "2026-01-02T03:04:05.000000007Z out\n"),
				frame(2, "2026-01-02T03:04:05.000000007Z err\n")));
		LogsRequest request = (LogsRequest) lifecycle.nextRequest();
		assertThat(request.getSinceUnixNano()).isEqualTo(1_700_000_000_500_000_000L);
		assertThat(request.getUntilUnixNano()).isEqualTo(time - 7);
		assertThat(request.getTail()).isEqualTo(5);
		assertThat(request.getStdout() && request.getStderr()).isTrue();

		UnixHttp.Response old = this.http.get("/v1.41/containers/web/logs?stderr=1&tail=all");
		assertThat(old.headers().get("content-type")).isEqualTo("application/vnd.docker.raw-stream");
		assertThat(old.body()).isEqualTo(concat(frame(1, "out\n"), frame(2, "err\n")));
		assertThat(((LogsRequest) lifecycle.nextRequest()).getTail()).isEqualTo(-1);

		UnixHttp.Response tty = this.http.get("/containers/tty/logs?stdout=1");
		assertThat(tty.headers().get("content-type")).isEqualTo("application/vnd.docker.raw-stream");
		assertThat(tty.text()).isEqualTo("out\nerr\n");

		assertThat(this.http.get("/containers/broken/logs?stdout=1").body()).isEqualTo(
				concat(frame(1, "out\n"), frame(2, "err\n"), frame(1, "Error grabbing logs: log file truncated\n")));
		assertError(this.http.get("/containers/web/logs"), 400, "Bad parameters: you must choose at least one stream");
		assertError(this.http.get("/containers/web/logs?stdout=1&since=yesterday"), 400,
				"failed to parse value as time or duration: \"yesterday\"");
	}

	@Test
	void statsStreamOneJsonDocumentPerLine() throws IOException {
		lifecycle.serverStream(ContainerServiceGrpc.getStatsMethod(), (request, answers) -> {
			int samples = request.getStream() ? 2 : 1;
			for (int i = 0; i < samples; i++) {
				answers.onNext(StatsResponse.newBuilder().setJson(ByteString.copyFromUtf8("{\"n\":" + i + "}")).build());
			}
			answers.onCompleted();
		});
		assertThat(this.http.get("/containers/web/stats").text()).isEqualTo("{\"n\":0}\n{\"n\":1}\n");
		assertThat(this.http.get("/containers/web/stats?stream=false&one-shot=true").text()).isEqualTo("{\"n\":0}\n");
		assertError(this.http.get("/containers/web/stats?one-shot=1"), 400, "cannot have stream=true and one-shot=true");
	}

	@Test
	void resizeNeedsBothDimensions() throws Exception {
		lifecycle.unary(ContainerServiceGrpc.getResizeMethod(), (request) -> ResizeResponse.getDefaultInstance());
		assertThat(post("/containers/web/resize?h=40&w=120", "").status()).isEqualTo(200);
		ResizeRequest resize = (ResizeRequest) lifecycle.nextRequest();
		assertThat(resize.getHeight()).isEqualTo(40);
		assertThat(resize.getWidth()).isEqualTo(120);
		assertError(post("/containers/web/resize?h=40", ""), 400, "w is required");
		assertError(post("/containers/web/resize?h=-1&w=3", ""), 400, "invalid value for h: -1");
	}

	@Test
	void anUpgradedAttachCarriesStdinAndOutputAndTheHalfClose() throws Exception {
		lifecycle.bidi(ContainerServiceGrpc.getAttachMethod(), ContainerProtocolTests::echo);
		try (UnixHttp.Exchange attach = this.http.open("POST",
				"/v1.50/containers/web/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x", UPGRADE,
				new byte[0])) {
			// Tomcat writes no reason phrase; the CLI checks only the code
			assertThat(attach.statusLine()).isEqualTo("HTTP/1.1 101 ");
			assertThat(attach.headers()).containsEntry("content-type", "application/vnd.docker.multiplexed-stream")
				.containsEntry("connection", "Upgrade")
				.containsEntry("upgrade", "tcp");
			attach.out().write("hello".getBytes(StandardCharsets.UTF_8));
			attach.out().flush();
			assertThat(attach.in().readNBytes(13)).isEqualTo(frame(1, "hello"));
			// the client's stdin ends, its side of the connection stays open for the output
			attach.shutdownOutput();
			assertThat(attach.in().readNBytes(11)).isEqualTo(frame(2, "bye"));
			assertThat(attach.in().read()).as("closed when the service ends the stream").isEqualTo(-1);
		}
		AttachRequest first = (AttachRequest) lifecycle.nextRequest();
		assertThat(first.getContainer()).isEqualTo("web");
		assertThat(first.getStream() && first.getStdin() && first.getStdout() && first.getStderr()).isTrue();
		assertThat(first.getLogs()).isFalse();
		assertThat(first.getDetachKeys()).isEqualTo("ctrl-x");
		assertThat(((AttachRequest) lifecycle.nextRequest()).getData().toStringUtf8()).isEqualTo("hello");
		assertThat(((AttachRequest) lifecycle.nextRequest()).getCloseStdin()).isTrue();
	}

	@Test
	void aClientThatGoesAwayEndsTheAttachment() throws Exception {
		// a container that keeps writing after its stdin closed
		lifecycle.bidi(ContainerServiceGrpc.getAttachMethod(), (answers) -> new ScriptedLifecycle.Requests<>() {

			@Override
			public void onNext(AttachRequest request) {
				answers.onNext(request.getCloseStdin() ? output(Stream.STREAM_STDOUT, "still here") : attached(false));
			}

		});
		try (UnixHttp.Exchange attach = this.http.open("POST", "/containers/web/attach?stream=1&stdin=1", UPGRADE,
				new byte[0])) {
			assertThat(attach.status()).isEqualTo(101);
		}
		assertThat(lifecycle.nextRequest()).isInstanceOf(AttachRequest.class);
		// a closed connection reads as the end of stdin; the next output cannot be written, and the call is cancelled
		assertThat(((AttachRequest) lifecycle.nextRequest()).getCloseStdin()).isTrue();
		assertThat(lifecycle.nextRequest()).isSameAs(ScriptedLifecycle.END_OF_REQUESTS);
	}

	@Test
	void aTerminalsAttachIsRawAndAnOldClientIsToldRawStream() throws Exception {
		lifecycle.bidi(ContainerServiceGrpc.getAttachMethod(), ContainerProtocolTests::echo);
		for (String path : List.of("/v1.50/containers/tty/attach?stream=1&stdin=1", "/v1.41/containers/web/attach?stream=1&stdin=1")) {
			try (UnixHttp.Exchange attach = this.http.open("POST", path, UPGRADE, new byte[0])) {
				assertThat(attach.status()).isEqualTo(101);
				assertThat(attach.headers()).containsEntry("content-type", "application/vnd.docker.raw-stream");
				attach.out().write("hi".getBytes(StandardCharsets.UTF_8));
				attach.out().flush();
				byte[] expected = path.contains("tty") ? "hi".getBytes(StandardCharsets.UTF_8) : frame(1, "hi");
				assertThat(attach.in().readNBytes(expected.length)).isEqualTo(expected);
				attach.shutdownOutput();
				attach.in().readAllBytes();
			}
		}
	}

	@Test
	void anAttachRefusedBeforeItIsInPlaceIsAnErrorResponseNotAnUpgrade() throws IOException {
		lifecycle.bidi(ContainerServiceGrpc.getAttachMethod(), (answers) -> new ScriptedLifecycle.Requests<>() {

			@Override
			public void onNext(AttachRequest request) {
				answers.onError(Status.FAILED_PRECONDITION
					.withDescription("You cannot attach to a stopped container, start it first")
					.asRuntimeException());
			}

		});
		UnixHttp.Response refused = this.http.send("POST", "/containers/web/attach?stream=1&stdout=1", UPGRADE,
				new byte[0]);
		assertError(refused, 409, "You cannot attach to a stopped container, start it first");
	}

	@Test
	void anAttachWithoutUpgradeIs200AndEndsWithTheConnection() throws Exception {
		lifecycle.bidi(ContainerServiceGrpc.getAttachMethod(), (answers) -> new ScriptedLifecycle.Requests<>() {

			@Override
			public void onNext(AttachRequest request) {
				answers.onNext(attached(false));
				answers.onNext(output(Stream.STREAM_STDOUT, "replayed\n"));
				answers.onCompleted();
			}

		});
		UnixHttp.Response attach = this.http.send("POST", "/containers/web/attach?logs=1&stdout=1", Map.of(),
				new byte[0]);
		assertThat(attach.status()).isEqualTo(200);
		assertThat(attach.headers()).containsEntry("content-type", "application/vnd.docker.raw-stream")
			.containsEntry("connection", "close")
			.doesNotContainKey("transfer-encoding");
		assertThat(attach.body()).isEqualTo(frame(1, "replayed\n"));
	}

	/**
	 * An attachment that is in place at once, echoes stdin on stdout, and says bye on stderr and ends when stdin
	 * ends; the container named tty has a terminal.
	 */
	static StreamObserver<AttachRequest> echo(StreamObserver<AttachResponse> answers) {
		return new ScriptedLifecycle.Requests<>() {

			@Override
			public void onNext(AttachRequest request) {
				if (!request.getContainer().isEmpty()) {
					answers.onNext(attached(request.getContainer().equals("tty")));
				}
				else if (request.getCloseStdin()) {
					answers.onNext(output(Stream.STREAM_STDERR, "bye"));
					answers.onCompleted();
				}
				else {
					answers.onNext(output(Stream.STREAM_STDOUT, request.getData().toStringUtf8()));
				}
			}

		};
	}

	static AttachResponse attached(boolean tty) {
		return AttachResponse.newBuilder().setAttached(StreamHeader.newBuilder().setTty(tty)).build();
	}

	static AttachResponse output(Stream stream, String data) {
		return AttachResponse.newBuilder()
			.setOutput(Output.newBuilder().setStream(stream).setData(ByteString.copyFromUtf8(data)))
			.build();
	}

	private static LogsResponse entry(Stream stream, String data, long time) {
		return LogsResponse.newBuilder()
			.setEntry(LogEntry.newBuilder().setStream(stream).setData(ByteString.copyFromUtf8(data)).setTimeUnixNano(time))
			.build();
	}

	/** A stdcopy frame: stream, three zeros, the length big-endian, the payload. */
	static byte[] frame(int stream, String payload) {
		byte[] data = payload.getBytes(StandardCharsets.UTF_8);
		return concat(new byte[] { (byte) stream, 0, 0, 0, 0, 0, (byte) (data.length >> 8), (byte) data.length }, data);
	}

	static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			all.writeBytes(part);
		}
		return all.toByteArray();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private UnixHttp.Response post(String path, String body) throws IOException {
		return this.http.send("POST", path, Map.of("Content-Type", "application/json"),
				body.getBytes(StandardCharsets.UTF_8));
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

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("berth-gateway-containers-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
