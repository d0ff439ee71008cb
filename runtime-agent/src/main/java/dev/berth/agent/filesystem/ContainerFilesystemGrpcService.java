package dev.berth.agent.filesystem;

import java.io.IOException;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import org.springframework.stereotype.Service;

import dev.berth.agent.AgentErrors;
import dev.berth.contracts.agent.v1.Change;
import dev.berth.contracts.agent.v1.ChangeKind;
import dev.berth.contracts.agent.v1.ChangesRequest;
import dev.berth.contracts.agent.v1.ChangesResponse;
import dev.berth.contracts.agent.v1.ContainerFilesystemServiceGrpc;
import dev.berth.contracts.agent.v1.DiffLayerRequest;
import dev.berth.contracts.agent.v1.DiffLayerResponse;
import dev.berth.contracts.agent.v1.ExportSnapshotRequest;
import dev.berth.contracts.agent.v1.ExportSnapshotResponse;
import dev.berth.contracts.agent.v1.PathStat;
import dev.berth.contracts.agent.v1.ReadArchiveRequest;
import dev.berth.contracts.agent.v1.ReadArchiveResponse;
import dev.berth.contracts.agent.v1.SnapshotUsage;
import dev.berth.contracts.agent.v1.StatPathRequest;
import dev.berth.contracts.agent.v1.StatPathResponse;
import dev.berth.contracts.agent.v1.UsageRequest;
import dev.berth.contracts.agent.v1.UsageResponse;
import dev.berth.contracts.agent.v1.WriteArchiveOptions;
import dev.berth.contracts.agent.v1.WriteArchiveRequest;
import dev.berth.contracts.agent.v1.WriteArchiveResponse;
import dev.berth.contracts.stream.ChunkInputStream;

/**
 * {@code berth.agent.v1.ContainerFilesystemService}: parses, calls {@link ContainerFilesystem},
 * answers. Streams run on a thread of their own, so the call's thread stays free to report the
 * client's readiness and cancellation.
 */
@Service
class ContainerFilesystemGrpcService extends ContainerFilesystemServiceGrpc.ContainerFilesystemServiceImplBase {

	private final ContainerFilesystem filesystem;

	ContainerFilesystemGrpcService(ContainerFilesystem filesystem) {
		this.filesystem = filesystem;
	}

	@Override
	public void statPath(StatPathRequest request, StreamObserver<StatPathResponse> responses) {
		try {
			var stat = this.filesystem.stat(request.getKey(), request.getPath());
			responses.onNext(StatPathResponse.newBuilder().setStat(toMessage(stat)).build());
			responses.onCompleted();
		}
		catch (IOException | RuntimeException ex) {
			responses.onError(AgentErrors.toStatus(ex));
		}
	}

	@Override
	public void readArchive(ReadArchiveRequest request, StreamObserver<ReadArchiveResponse> responses) {
		ResponseChunks<ReadArchiveResponse> out = new ResponseChunks<>(call(responses),
				(data) -> ReadArchiveResponse.newBuilder().setData(data).build());
		stream(responses, out, () -> this.filesystem.readArchive(request.getKey(), request.getPath(), (stat) -> {
			try {
				out.send(ReadArchiveResponse.newBuilder().setStat(toMessage(stat)).build());
			}
			catch (IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}, out));
	}

	@Override
	public void exportSnapshot(ExportSnapshotRequest request, StreamObserver<ExportSnapshotResponse> responses) {
		ResponseChunks<ExportSnapshotResponse> out = new ResponseChunks<>(call(responses),
				(data) -> ExportSnapshotResponse.newBuilder().setData(data).build());
		stream(responses, out, () -> this.filesystem.export(request.getKey(), out));
	}

	@Override
	public void diffLayer(DiffLayerRequest request, StreamObserver<DiffLayerResponse> responses) {
		ResponseChunks<DiffLayerResponse> out = new ResponseChunks<>(call(responses),
				(data) -> DiffLayerResponse.newBuilder().setData(data).build());
		stream(responses, out, () -> this.filesystem.diffLayer(request.getKey(), out));
	}

	@Override
	public void changes(ChangesRequest request, StreamObserver<ChangesResponse> responses) {
		try {
			ChangesResponse.Builder response = ChangesResponse.newBuilder();
			for (SnapshotChanges.Change change : this.filesystem.changes(request.getKey())) {
				response.addChanges(Change.newBuilder().setPath(change.path()).setKind(switch (change.kind()) {
					case MODIFIED -> ChangeKind.CHANGE_KIND_MODIFIED;
					case ADDED -> ChangeKind.CHANGE_KIND_ADDED;
					case DELETED -> ChangeKind.CHANGE_KIND_DELETED;
				}));
			}
			responses.onNext(response.build());
			responses.onCompleted();
		}
		catch (IOException | RuntimeException ex) {
			responses.onError(AgentErrors.toStatus(ex));
		}
	}

	@Override
	public void usage(UsageRequest request, StreamObserver<UsageResponse> responses) {
		try {
			UsageResponse.Builder response = UsageResponse.newBuilder();
			for (ContainerFilesystem.Usage usage : this.filesystem.usage(request.getKeysList())) {
				response.addUsages(SnapshotUsage.newBuilder()
					.setKey(usage.key())
					.setSizeRw(usage.sizeRw())
					.setSizeRootFs(usage.sizeRootFs()));
			}
			responses.onNext(response.build());
			responses.onCompleted();
		}
		catch (IOException | RuntimeException ex) {
			responses.onError(AgentErrors.toStatus(ex));
		}
	}

	@Override
	public StreamObserver<WriteArchiveRequest> writeArchive(StreamObserver<WriteArchiveResponse> responses) {
		ChunkInputStream body = new ChunkInputStream(call(responses));
		call(responses).setOnCancelHandler(() -> body.fail(new IOException("the client cancelled the copy")));
		body.requestNext();
		return new StreamObserver<>() {

			private boolean started;

			@Override
			public void onNext(WriteArchiveRequest message) {
				if (this.started) {
					if (message.hasOptions()) {
						body.fail(new IllegalArgumentException("options may only come in the first message"));
						return;
					}
					body.add(message.getData());
					return;
				}
				this.started = true;
				if (!message.hasOptions()) {
					body.fail(new IllegalArgumentException("the first message must hold the options"));
				}
				WriteArchiveOptions options = message.getOptions();
				Thread.ofVirtual().name("write-archive").start(() -> {
					try {
						ContainerFilesystemGrpcService.this.filesystem.writeArchive(options.getKey(), options.getPath(),
								options.getNoOverwriteDirNonDir(), options.getCopyUidGid(), options.getUser(), body);
						// what follows the archive's end is not the agent's to wait for
						body.transferTo(java.io.OutputStream.nullOutputStream());
						responses.onNext(WriteArchiveResponse.getDefaultInstance());
						responses.onCompleted();
					}
					catch (IOException | RuntimeException ex) {
						responses.onError(AgentErrors.toStatus(ex));
					}
				});
				body.requestNext();
			}

			@Override
			public void onError(Throwable cause) {
				body.fail(cause);
			}

			@Override
			public void onCompleted() {
				body.end();
			}

		};
	}

	/** Work that writes a stream; it ends the call with its outcome. */
	@FunctionalInterface
	private interface StreamWork {

		void run() throws IOException;

	}

	private static <T> void stream(StreamObserver<T> responses, ResponseChunks<T> out, StreamWork work) {
		Thread.ofVirtual().name("filesystem-stream").start(() -> {
			try {
				work.run();
				out.flush();
				responses.onCompleted();
			}
			catch (IOException | RuntimeException ex) {
				if (!call(responses).isCancelled()) {
					Throwable cause = (ex instanceof java.io.UncheckedIOException unchecked) ? unchecked.getCause() : ex;
					responses.onError(AgentErrors.toStatus(cause));
				}
			}
		});
	}

	private static <T> ServerCallStreamObserver<T> call(StreamObserver<T> responses) {
		return (ServerCallStreamObserver<T>) responses;
	}

	private static PathStat toMessage(ContainerFilesystem.PathStat stat) {
		return PathStat.newBuilder()
			.setName(stat.name())
			.setSize(stat.size())
			.setMode(stat.mode())
			.setMtimeUnixNano(stat.modified().getEpochSecond() * 1_000_000_000L + stat.modified().getNano())
			.setLinkTarget(stat.linkTarget())
			.build();
	}

}
