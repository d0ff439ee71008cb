package dev.berth.gateway.container;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.berth.contracts.lifecycle.v1.AttachRequest;
import dev.berth.contracts.lifecycle.v1.AttachResponse;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.LogEntry;
import dev.berth.contracts.lifecycle.v1.LogsRequest;
import dev.berth.contracts.lifecycle.v1.LogsResponse;
import dev.berth.contracts.lifecycle.v1.ResizeRequest;
import dev.berth.contracts.lifecycle.v1.StatsRequest;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.contracts.lifecycle.v1.WaitRequest;
import dev.berth.contracts.lifecycle.v1.WaitResponse;
import dev.berth.gateway.api.ApiVersion;
import dev.berth.gateway.api.DockerTimes;
import dev.berth.gateway.api.HijackedStreams;
import dev.berth.gateway.api.InvalidParameterException;
import dev.berth.gateway.api.RawStreams;
import dev.berth.gateway.api.ResponseStreams;
import dev.berth.gateway.api.TerminalSizes;

/**
 * Docker's container routes that stream: wait, logs, stats and attach, and the terminal's resize that goes with an
 * attachment. Each answers only once lifecycle-service's first message is in, so a refusal is still an ordinary
 * error response, then writes and flushes every message as it comes.
 */
@RestController
class ContainerStreamRouter {

	// conditions came with API 1.30; before it every wait waited for not-running
	private static final String CONDITIONS_SINCE = "1.30";

	// moby's RFC3339NanoFixed: always nine digits, so the prefixes of log lines line up
	private static final DateTimeFormatter LOG_TIMESTAMP = DateTimeFormatter
		.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
		.withZone(ZoneOffset.UTC);

	private static final HijackedStreams.Messages<AttachRequest, AttachResponse> ATTACH = new HijackedStreams.Messages<>(
			(data) -> AttachRequest.newBuilder().setData(data).build(),
			AttachRequest.newBuilder().setCloseStdin(true).build(),
			(answer) -> answer.hasAttached() ? answer.getAttached() : null,
			(answer) -> answer.hasOutput() ? answer.getOutput() : null);

	private final ContainerServiceGrpc.ContainerServiceBlockingStub containers;

	private final ContainerServiceGrpc.ContainerServiceStub asyncContainers;

	private final ResponseStreams streams;

	private final JsonMapper json;

	ContainerStreamRouter(ContainerServiceGrpc.ContainerServiceBlockingStub containers,
			ContainerServiceGrpc.ContainerServiceStub asyncContainers, ResponseStreams streams, JsonMapper json) {
		this.containers = containers;
		this.asyncContainers = asyncContainers;
		this.streams = streams;
		this.json = json;
	}

	/**
	 * The CLI sends wait before start (docker run), so the 200 and its headers go out, flushed, as soon as
	 * lifecycle-service says the waiter is registered: the CLI may then start the container and nothing is missed.
	 * The body follows when the condition is met.
	 */
	@PostMapping("/containers/{id}/wait")
	void waitFor(@PathVariable String id, @RequestParam(defaultValue = "") String condition,
			@RequestAttribute(ApiVersion.ATTRIBUTE) String apiVersion, HttpServletResponse response)
			throws IOException {
		String effective = ApiVersion.isOlder(apiVersion, CONDITIONS_SINCE) ? "" : condition;
		if (!effective.isEmpty() && !effective.equals("not-running") && !effective.equals("next-exit")
				&& !effective.equals("removed")) {
			throw new InvalidParameterException("invalid condition: \"" + condition + "\"");
		}
		WaitRequest request = WaitRequest.newBuilder().setContainer(id).setCondition(effective).build();
		this.streams.flushed(response, MediaType.APPLICATION_JSON_VALUE, () -> this.containers.wait(request),
				new ResponseStreams.AnswerWriter<WaitResponse>() {

					@Override
					public void write(WaitResponse answer, OutputStream out) throws IOException {
						if (answer.hasResult()) {
							String error = answer.getResult().getError();
							writeLine(out, new ContainerWaitResponse(answer.getResult().getStatusCode(),
									error.isEmpty() ? null : new ContainerWaitResponse.WaitExitError(error)));
						}
						// registered: nothing to write, the flush that follows sends the headers
					}

					@Override
					public void failed(String message, OutputStream out) throws IOException {
						// dockerd's answer to a wait that itself failed: no exit code, and why
						writeLine(out, new ContainerWaitResponse(-1, new ContainerWaitResponse.WaitExitError(message)));
					}

				});
	}

	@GetMapping("/containers/{id}/logs")
	void logs(@PathVariable String id, @RequestParam(defaultValue = "false") boolean follow,
			@RequestParam(defaultValue = "false") boolean stdout, @RequestParam(defaultValue = "false") boolean stderr,
			@RequestParam(defaultValue = "") String since, @RequestParam(defaultValue = "") String until,
			@RequestParam(defaultValue = "false") boolean timestamps, @RequestParam(defaultValue = "all") String tail,
			@RequestAttribute(ApiVersion.ATTRIBUTE) String apiVersion, HttpServletResponse response)
			throws IOException {
		if (!stdout && !stderr) {
			throw new InvalidParameterException("Bad parameters: you must choose at least one stream");
		}
		Instant now = Instant.now();
		LogsRequest request = LogsRequest.newBuilder()
			.setContainer(id)
			.setFollow(follow)
			.setStdout(stdout)
			.setStderr(stderr)
			.setSinceUnixNano(DockerTimes.unixNanos(since, now))
			.setUntilUnixNano(DockerTimes.unixNanos(until, now))
			.setTail(tailLines(tail))
			.build();
		this.streams.flushed(response, RawStreams.RAW, () -> this.containers.logs(request),
				new ResponseStreams.AnswerWriter<LogsResponse>() {

					private boolean tty;

					@Override
					public void write(LogsResponse answer, OutputStream out) throws IOException {
						if (answer.hasHeader()) {
							this.tty = answer.getHeader().getTty();
							response.setContentType(RawStreams.contentType(this.tty, apiVersion));
						}
						else if (answer.hasEntry()) {
							LogEntry entry = answer.getEntry();
							RawStreams.write(out, this.tty, entry.getStream(), line(entry, timestamps));
						}
					}

					@Override
					public void failed(String message, OutputStream out) throws IOException {
						// dockerd's words, on stdout, where the client shows them among the lines
						RawStreams.write(out, this.tty, Stream.STREAM_STDOUT,
								("Error grabbing logs: " + message + "\n").getBytes(StandardCharsets.UTF_8));
					}

				});
	}

	@GetMapping("/containers/{id}/stats")
	void stats(@PathVariable String id, @RequestParam(defaultValue = "true") boolean stream,
			@RequestParam(name = "one-shot", defaultValue = "false") boolean oneShot, HttpServletResponse response)
			throws IOException {
		if (stream && oneShot) {
			throw new InvalidParameterException("cannot have stream=true and one-shot=true");
		}
		StatsRequest request = StatsRequest.newBuilder().setContainer(id).setStream(stream).setOneShot(oneShot).build();
		this.streams.flushed(response, MediaType.APPLICATION_JSON_VALUE, () -> this.containers.stats(request),
				(sample, out) -> {
					out.write(sample.getJson().toByteArray());
					out.write('\n');
				});
	}

	@PostMapping("/containers/{id}/attach")
	void attach(@PathVariable String id, @RequestParam(defaultValue = "false") boolean stream,
			@RequestParam(defaultValue = "false") boolean stdin, @RequestParam(defaultValue = "false") boolean stdout,
			@RequestParam(defaultValue = "false") boolean stderr, @RequestParam(defaultValue = "false") boolean logs,
			@RequestParam(defaultValue = "") String detachKeys, @RequestAttribute(ApiVersion.ATTRIBUTE) String apiVersion,
			HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
		AttachRequest first = AttachRequest.newBuilder()
			.setContainer(id)
			.setStream(stream)
			.setStdin(stdin)
			.setStdout(stdout)
			.setStderr(stderr)
			.setLogs(logs)
			.setDetachKeys(detachKeys)
			.build();
		HijackedStreams.open(this.asyncContainers::attach, first, ATTACH).serve(request, response, apiVersion);
	}

	@PostMapping("/containers/{id}/resize")
	void resize(@PathVariable String id, @RequestParam("h") int height, @RequestParam("w") int width) {
		this.containers.resize(ResizeRequest.newBuilder()
			.setContainer(id)
			.setHeight(TerminalSizes.dimension("h", height))
			.setWidth(TerminalSizes.dimension("w", width))
			.build());
	}

	private void writeLine(OutputStream out, Object value) throws IOException {
		out.write(this.json.writeValueAsBytes(value));
		out.write('\n');
	}

	private static byte[] line(LogEntry entry, boolean timestamps) {
		byte[] data = entry.getData().toByteArray();
		if (!timestamps) {
			return data;
		}
		Instant time = Instant.ofEpochSecond(0, entry.getTimeUnixNano());
		byte[] prefix = (LOG_TIMESTAMP.format(time) + " ").getBytes(StandardCharsets.US_ASCII);
		byte[] line = new byte[prefix.length + data.length];
		System.arraycopy(prefix, 0, line, 0, prefix.length);
		System.arraycopy(data, 0, line, prefix.length, data.length);
		return line;
	}

	// dockerd: "all", or a count; anything it cannot read as a count is all as well
	private static long tailLines(String tail) {
		try {
			return Long.parseLong(tail);
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
