package dev.berth.lifecycle.api;

import java.nio.charset.StandardCharsets;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import org.springframework.grpc.server.service.GrpcService;

import dev.berth.contracts.lifecycle.v1.ExecCreateRequest;
import dev.berth.contracts.lifecycle.v1.ExecCreateResponse;
import dev.berth.contracts.lifecycle.v1.ExecInspectRequest;
import dev.berth.contracts.lifecycle.v1.ExecInspectResponse;
import dev.berth.contracts.lifecycle.v1.ExecResizeRequest;
import dev.berth.contracts.lifecycle.v1.ExecResizeResponse;
import dev.berth.contracts.lifecycle.v1.ExecServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ExecStartRequest;
import dev.berth.contracts.lifecycle.v1.ExecStartResponse;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.lifecycle.LifecycleProperties;
import dev.berth.lifecycle.task.Execs;
import dev.berth.lifecycle.task.StdinSession;

/** {@code berth.lifecycle.v1.ExecService}: parses each request, calls {@link Execs}, answers. */
@GrpcService
class ExecGrpcService extends ExecServiceGrpc.ExecServiceImplBase {

	private final Execs execs;

	private final ContainerJson views;

	ExecGrpcService(Execs execs, LifecycleProperties properties) {
		this.execs = execs;
		this.views = new ContainerJson(properties.dataRoot());
	}

	@Override
	public void create(ExecCreateRequest request, StreamObserver<ExecCreateResponse> observer) {
		ContainerGrpcService.unary(observer, () -> ExecCreateResponse.newBuilder()
			.setId(this.execs.create(request.getContainer(), ContainerGrpcService.parseObject(request.getBodyJson())))
			.build());
	}

	@Override
	public void inspect(ExecInspectRequest request, StreamObserver<ExecInspectResponse> observer) {
		ContainerGrpcService.unary(observer, () -> {
			Execs.ExecView view = this.execs.inspect(request.getExecId());
			return ExecInspectResponse.newBuilder()
				.setJson(ByteString.copyFromUtf8(this.views.exec(view.exec(), view.container()).toString()))
				.build();
		});
	}

	@Override
	public void resize(ExecResizeRequest request, StreamObserver<ExecResizeResponse> observer) {
		ContainerGrpcService.unary(observer, () -> {
			this.execs.resize(request.getExecId(), request.getHeight(), request.getWidth());
			return ExecResizeResponse.getDefaultInstance();
		});
	}

	@Override
	public StreamObserver<ExecStartRequest> start(StreamObserver<ExecStartResponse> observer) {
		StreamingClient<ExecStartResponse> client = new StreamingClient<>(observer,
				(header) -> ExecStartResponse.newBuilder().setStarted(header).build(),
				(stream, data) -> ExecStartResponse.newBuilder()
					.setOutput(StreamingClient.frame(stream, data))
					.build());
		return SessionRequests.of(observer, client, (first) -> {
			boolean tty = this.execs.inspect(first.getExecId()).exec().config().tty();
			StdinSession session;
			try {
				session = this.execs.start(first.getExecId(), first.getDetach(), first.getConsoleHeight(),
						first.getConsoleWidth(), client);
			}
			catch (Execs.StartFailedException ex) {
				if (first.getDetach()) {
					throw Status.INVALID_ARGUMENT.withDescription(ex.getMessage()).asRuntimeException();
				}
				// dockerd's way: the stream opens, says why, and ends; the client reads 126 from inspect
				client.ready(tty);
				client.output(Stream.STREAM_STDOUT, (ex.getMessage() + "\r\n").getBytes(StandardCharsets.UTF_8));
				client.end();
				return null;
			}
			client.ready(tty);
			if (session == null) {
				client.end();
			}
			return session;
		}, ExecStartRequest::getData, ExecStartRequest::getCloseStdin);
	}

}
