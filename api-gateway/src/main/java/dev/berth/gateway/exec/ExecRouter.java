package dev.berth.gateway.exec;

import java.io.IOException;
import java.util.List;

import com.google.protobuf.ByteString;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.berth.contracts.lifecycle.v1.ExecCreateRequest;
import dev.berth.contracts.lifecycle.v1.ExecInspectRequest;
import dev.berth.contracts.lifecycle.v1.ExecResizeRequest;
import dev.berth.contracts.lifecycle.v1.ExecServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ExecStartRequest;
import dev.berth.contracts.lifecycle.v1.ExecStartResponse;
import dev.berth.gateway.api.ApiVersion;
import dev.berth.gateway.api.HijackedStreams;
import dev.berth.gateway.api.InvalidParameterException;
import dev.berth.gateway.api.JsonBodies;
import dev.berth.gateway.api.JsonBytes;
import dev.berth.gateway.api.TerminalSizes;

/**
 * Docker's exec routes over lifecycle-service's ExecService: create, start (hijacked as attach is, or detached),
 * resize and inspect. The exec's config and its inspect pass through as Docker's JSON.
 */
@RestController
class ExecRouter {

	private static final HijackedStreams.Messages<ExecStartRequest, ExecStartResponse> START = new HijackedStreams.Messages<>(
			(data) -> ExecStartRequest.newBuilder().setData(data).build(),
			ExecStartRequest.newBuilder().setCloseStdin(true).build(),
			(answer) -> answer.hasStarted() ? answer.getStarted() : null,
			(answer) -> answer.hasOutput() ? answer.getOutput() : null);

	private final ExecServiceGrpc.ExecServiceBlockingStub execs;

	private final ExecServiceGrpc.ExecServiceStub asyncExecs;

	private final JsonBodies json;

	ExecRouter(ExecServiceGrpc.ExecServiceBlockingStub execs, ExecServiceGrpc.ExecServiceStub asyncExecs,
			JsonBodies json) {
		this.execs = execs;
		this.asyncExecs = asyncExecs;
		this.json = json;
	}

	@PostMapping("/containers/{id}/exec")
	@ResponseStatus(HttpStatus.CREATED)
	ExecCreateResponse create(@PathVariable String id, HttpServletRequest request) throws IOException {
		ExecCreateRequest create = ExecCreateRequest.newBuilder()
			.setContainer(id)
			.setBodyJson(ByteString.copyFrom(this.json.readObject(request)))
			.build();
		return new ExecCreateResponse(this.execs.create(create).getId());
	}

	/**
	 * Starts the exec once lifecycle-service says it runs: detached, that is the answer ({@code 200}, no body, once
	 * the service has ended the stream); attached, the connection is hijacked and carries its stdio.
	 */
	@PostMapping("/exec/{id}/start")
	void start(@PathVariable String id, @RequestAttribute(ApiVersion.ATTRIBUTE) String apiVersion,
			HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
		ExecStartConfig config = this.json.read(request, ExecStartConfig.class);
		if (config == null) {
			config = new ExecStartConfig(null, null, null);
		}
		ExecStartRequest.Builder first = ExecStartRequest.newBuilder()
			.setExecId(id)
			.setDetach(config.detached())
			.setTty(config.terminal());
		List<Integer> consoleSize = config.consoleSize();
		if (consoleSize != null && !consoleSize.isEmpty()) {
			if (consoleSize.size() != 2) {
				throw new InvalidParameterException("ConsoleSize must have two elements: [height, width]");
			}
			first.setConsoleHeight(TerminalSizes.dimension("ConsoleSize", consoleSize.get(0)))
				.setConsoleWidth(TerminalSizes.dimension("ConsoleSize", consoleSize.get(1)));
		}
		HijackedStreams<ExecStartRequest, ExecStartResponse> streams = HijackedStreams.open(this.asyncExecs::start,
				first.build(), START);
		if (config.detached()) {
			streams.drain();
			response.setStatus(HttpServletResponse.SC_OK);
			return;
		}
		streams.serve(request, response, apiVersion);
	}

	@PostMapping("/exec/{id}/resize")
	void resize(@PathVariable String id, @RequestParam("h") int height, @RequestParam("w") int width) {
		this.execs.resize(ExecResizeRequest.newBuilder()
			.setExecId(id)
			.setHeight(TerminalSizes.dimension("h", height))
			.setWidth(TerminalSizes.dimension("w", width))
			.build());
	}

	@GetMapping("/exec/{id}/json")
	ResponseEntity<byte[]> inspect(@PathVariable String id) {
		return JsonBytes.ok(this.execs.inspect(ExecInspectRequest.newBuilder().setExecId(id).build()).getJson());
	}

}
