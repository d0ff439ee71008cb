package dev.berth.gateway.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.contracts.lifecycle.v1.AttachRequest;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ExecCreateResponse;
import dev.berth.contracts.lifecycle.v1.ExecInspectResponse;
import dev.berth.contracts.lifecycle.v1.ExecServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ExecStartRequest;
import dev.berth.contracts.lifecycle.v1.ExecStartResponse;
import dev.berth.contracts.lifecycle.v1.InspectResponse;
import dev.berth.contracts.lifecycle.v1.ListResponse;
import dev.berth.contracts.lifecycle.v1.LogEntry;
import dev.berth.contracts.lifecycle.v1.LogsResponse;
import dev.berth.contracts.lifecycle.v1.Output;
import dev.berth.contracts.lifecycle.v1.StartResponse;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.contracts.lifecycle.v1.StreamHeader;
import dev.berth.contracts.lifecycle.v1.TopProcess;
import dev.berth.contracts.lifecycle.v1.TopResponse;
import dev.berth.contracts.lifecycle.v1.WaitRegistered;
import dev.berth.contracts.lifecycle.v1.WaitResponse;
import dev.berth.contracts.lifecycle.v1.WaitResult;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.ScriptedLifecycle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real docker CLI (28, API 1.50) against the gateway, with a scripted lifecycle-service: what the CLI makes of
 * the container routes' answers — ps formatting, logs split back into stdout and stderr, wait's exit code, top's
 * table, attach and exec over hijacked connections (exec's stdin ending with a half-close), and error messages.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class DockerCliContainerTests {

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Path SOCKET = DIRECTORY.resolve("docker.sock");

	private static final ScriptedLifecycle lifecycle = ScriptedLifecycle.start();

	private static final String ID = "11e2d343c6121ab79ae7a79cb7591d989d1ba80a33e949a70cd4d7f9d65c455e";

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
	void aRunningContainerWithoutATerminal() {
		lifecycle.reset();
		lifecycle.unary(ContainerServiceGrpc.getInspectMethod(), (request) -> InspectResponse.newBuilder()
			.setJson(ByteString.copyFromUtf8("{\"Id\":\"" + ID + "\",\"Name\":\"/w1\",\"State\":{\"Status\":\"running\","
					+ "\"Running\":true,\"Paused\":false,\"Restarting\":false},\"Config\":{\"Tty\":false,\"OpenStdin\":false}}"))
			.build());
		lifecycle.serverStream(ContainerServiceGrpc.getWaitMethod(), (request, answers) -> {
			answers.onNext(WaitResponse.newBuilder().setRegistered(WaitRegistered.getDefaultInstance()).build());
			answers.onNext(WaitResponse.newBuilder().setResult(WaitResult.newBuilder().setStatusCode(3)).build());
			answers.onCompleted();
		});
	}

	@Test
	void psFormatsTheServicesSummaries() {
		lifecycle.unary(ContainerServiceGrpc.getListMethod(), (request) -> ListResponse.newBuilder()
			.addContainersJson(ByteString.copyFromUtf8("{\"Id\":\"" + ID + "\",\"Names\":[\"/w1\"],\"Image\":\"bb\","
					+ "\"Command\":\"sleep 100\",\"Created\":1795898320,\"Ports\":[],\"Labels\":{},\"State\":\"running\","
					+ "\"Status\":\"Up 2 minutes\",\"Mounts\":[]}"))
			.build());
		assertThat(docker("ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.Command}} {{.Status}}").ok())
			.isEqualTo("11e2d343c612 w1 bb \"sleep 100\" Up 2 minutes\n");
	}

	@Test
	void logsAreSplitBackIntoStdoutAndStderr() {
		lifecycle.serverStream(ContainerServiceGrpc.getLogsMethod(), (request, answers) -> {
			answers.onNext(LogsResponse.newBuilder().setHeader(StreamHeader.newBuilder().setTty(false)).build());
			answers.onNext(entry(Stream.STREAM_STDOUT, "out\n"));
			answers.onNext(entry(Stream.STREAM_STDERR, "err\n"));
			answers.onCompleted();
		});
		Commands.Result logs = docker("logs", "-t", "w1");
		assertThat(logs.ok()).isEqualTo("2026-11-28T20:38:29.766883215Z out\n");
		assertThat(logs.stderr()).isEqualTo("2026-11-28T20:38:29.766883215Z err\n");
	}

	@Test
	void waitPrintsTheExitCode() {
		assertThat(docker("wait", "w1").ok()).isEqualTo("3\n");
	}

	@Test
	void topPrintsTheTable() {
		lifecycle.unary(ContainerServiceGrpc.getTopMethod(), (request) -> TopResponse.newBuilder()
			.addAllTitles(List.of("UID", "PID", "CMD"))
			.addProcesses(TopProcess.newBuilder().addAllFields(List.of("root", "23970", "sleep 100")))
			.build());
		assertThat(docker("top", "w1").ok().lines().map(String::strip).map((line) -> line.split("\\s+")).toList())
			.containsExactly(new String[] { "UID", "PID", "CMD" }, new String[] { "root", "23970", "sleep", "100" });
	}

	@Test
	void attachShowsTheOutputAndEndsWithTheExitCode() {
		lifecycle.bidi(ContainerServiceGrpc.getAttachMethod(), (answers) -> new ScriptedLifecycle.Requests<>() {

			@Override
			public void onNext(AttachRequest request) {
				answers.onNext(ContainerProtocolTests.attached(false));
				answers.onNext(ContainerProtocolTests.output(Stream.STREAM_STDOUT, "from the container\n"));
				answers.onNext(ContainerProtocolTests.output(Stream.STREAM_STDERR, "to stderr\n"));
				answers.onCompleted();
			}

		});
		Commands.Result attach = docker("attach", "--no-stdin", "w1");
		assertThat(attach.exitCode()).as(attach.stderr()).isEqualTo(3);
		assertThat(attach.stdout()).isEqualTo("from the container\n");
		assertThat(attach.stderr()).isEqualTo("to stderr\n");
	}

	@Test
	void execCarriesStdinUntilItsEndAndTheOutputBack() {
		lifecycle.unary(ExecServiceGrpc.getCreateMethod(), (request) -> ExecCreateResponse.newBuilder().setId("e1").build());
		lifecycle.unary(ExecServiceGrpc.getInspectMethod(), (request) -> ExecInspectResponse.newBuilder()
			.setJson(ByteString.copyFromUtf8("{\"ID\":\"e1\",\"Running\":false,\"ExitCode\":0}"))
			.build());
		// stdin is /dev/null: the CLI half-closes at once, and the exec answers that it saw the end
		lifecycle.bidi(ExecServiceGrpc.getStartMethod(), (answers) -> new ScriptedLifecycle.Requests<>() {

			@Override
			public void onNext(ExecStartRequest request) {
				if (!request.getExecId().isEmpty()) {
					answers.onNext(ExecStartResponse.newBuilder().setStarted(StreamHeader.getDefaultInstance()).build());
				}
				else if (request.getCloseStdin()) {
					answers.onNext(ExecStartResponse.newBuilder()
						.setOutput(Output.newBuilder().setStream(Stream.STREAM_STDOUT).setData(ByteString.copyFromUtf8("eof\n")))
						.build());
					answers.onCompleted();
				}
			}

		});
		assertThat(docker("exec", "-i", "w1", "cat").ok()).isEqualTo("eof\n");
	}

	@Test
	void startOfARunningContainerIsQuietAndErrorsAreTheDaemons() {
		lifecycle.unary(ContainerServiceGrpc.getStartMethod(),
				(request) -> StartResponse.newBuilder().setNotModified(true).build());
		lifecycle.unary(ContainerServiceGrpc.getRemoveMethod(), (request) -> {
			throw Status.FAILED_PRECONDITION.withDescription("You cannot remove a running container " + ID
					+ ". Stop the container before attempting removal or force remove").asRuntimeException();
		});
		assertThat(docker("start", "w1").ok()).isEqualTo("w1\n");
		Commands.Result remove = docker("rm", "w1");
		assertThat(remove.exitCode()).isEqualTo(1);
		assertThat(remove.stderr()).startsWith("Error response from daemon: You cannot remove a running container " + ID);
	}

	private static LogsResponse entry(Stream stream, String data) {
		return LogsResponse.newBuilder()
			.setEntry(LogEntry.newBuilder()
				.setStream(stream)
				.setData(ByteString.copyFromUtf8(data))
				.setTimeUnixNano(1_795_898_309_766_883_215L))
			.build();
	}

	private static Commands.Result docker(String... arguments) {
		return Commands.docker(SOCKET, DIRECTORY, arguments);
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
