package dev.berth.agent.snapshot;

import java.util.List;

import io.grpc.stub.StreamObserver;

import dev.berth.agent.AgentErrors;
import dev.berth.agent.container.ContainerDirectories;
import dev.berth.contracts.agent.v1.PrepareSnapshotRequest;
import dev.berth.contracts.agent.v1.PrepareSnapshotResponse;
import dev.berth.contracts.agent.v1.PreparedSnapshot;
import dev.berth.contracts.agent.v1.RemoveLayersRequest;
import dev.berth.contracts.agent.v1.RemoveLayersResponse;
import dev.berth.contracts.agent.v1.RemoveSnapshotRequest;
import dev.berth.contracts.agent.v1.RemoveSnapshotResponse;
import dev.berth.contracts.agent.v1.SnapshotProgress;
import dev.berth.contracts.agent.v1.SnapshotServiceGrpc;

import org.springframework.stereotype.Service;

/** {@code berth.agent.v1.SnapshotService}: parses, calls the {@link Snapshotter}, answers. */
@Service
class SnapshotGrpcService extends SnapshotServiceGrpc.SnapshotServiceImplBase {

	private final Snapshotter snapshotter;

	private final ContainerDirectories directories;

	SnapshotGrpcService(Snapshotter snapshotter, ContainerDirectories directories) {
		this.snapshotter = snapshotter;
		this.directories = directories;
	}

	@Override
	public void prepareSnapshot(PrepareSnapshotRequest request, StreamObserver<PrepareSnapshotResponse> responses) {
		try {
			List<LayerRef> stack = request.getLayersList()
				.stream()
				.map((layer) -> new LayerRef(layer.getBlobDigest(), layer.getMediaType(), layer.getSize(), layer.getDiffId()))
				.toList();
			Object lock = new Object();
			Snapshotter.Prepared prepared = this.snapshotter.prepare(request.getKey(), stack, (progress) -> {
				synchronized (lock) {
					responses.onNext(PrepareSnapshotResponse.newBuilder()
						.setProgress(SnapshotProgress.newBuilder()
							.setId(progress.id())
							.setStatus(progress.status())
							.setCurrent(progress.current())
							.setTotal(progress.total()))
						.build());
				}
			});
			responses.onNext(PrepareSnapshotResponse.newBuilder()
				.setSnapshot(PreparedSnapshot.newBuilder().addAllMounts(prepared.mounts()).addAllChainIds(prepared.chainIds()))
				.build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(AgentErrors.toStatus(ex));
		}
	}

	@Override
	public void removeSnapshot(RemoveSnapshotRequest request, StreamObserver<RemoveSnapshotResponse> responses) {
		try {
			this.snapshotter.remove(request.getKey());
			// the container's files and logs go with its writable layer
			this.directories.remove(request.getKey());
			responses.onNext(RemoveSnapshotResponse.getDefaultInstance());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(AgentErrors.toStatus(ex));
		}
	}

	@Override
	public void removeLayers(RemoveLayersRequest request, StreamObserver<RemoveLayersResponse> responses) {
		try {
			Snapshotter.Removal removal = this.snapshotter.removeLayers(request.getChainIdsList());
			responses.onNext(RemoveLayersResponse.newBuilder()
				.addAllRemoved(removal.removed())
				.addAllInUse(removal.inUse())
				.build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(AgentErrors.toStatus(ex));
		}
	}

}
