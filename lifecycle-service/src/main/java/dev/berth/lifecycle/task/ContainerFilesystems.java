package dev.berth.lifecycle.task;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import org.springframework.stereotype.Component;

import dev.berth.contracts.agent.v1.ChangesRequest;
import dev.berth.contracts.agent.v1.ChangesResponse;
import dev.berth.contracts.agent.v1.DiffLayerRequest;
import dev.berth.contracts.agent.v1.DiffLayerResponse;
import dev.berth.contracts.agent.v1.ExportSnapshotRequest;
import dev.berth.contracts.agent.v1.ExportSnapshotResponse;
import dev.berth.contracts.agent.v1.PathStat;
import dev.berth.contracts.agent.v1.ReadArchiveRequest;
import dev.berth.contracts.agent.v1.ReadArchiveResponse;
import dev.berth.contracts.agent.v1.SnapshotUsage;
import dev.berth.contracts.agent.v1.StatPathRequest;
import dev.berth.contracts.agent.v1.UsageRequest;
import dev.berth.contracts.agent.v1.WriteArchiveOptions;
import dev.berth.contracts.agent.v1.WriteArchiveRequest;
import dev.berth.contracts.agent.v1.WriteArchiveResponse;
import dev.berth.lifecycle.NotFoundException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.node.Node;
import dev.berth.lifecycle.node.Nodes;

/**
 * A container's files, as {@code docker cp}, {@code diff}, {@code export} and {@code commit} see them: the node
 * reads and writes its snapshot (safely: every path resolved inside the container's root); this
 * class finds the node and words the errors with the name the user typed.
 */
@Component
public class ContainerFilesystems {

	private final ContainerStore store;

	private final Nodes nodes;

	ContainerFilesystems(ContainerStore store, Nodes nodes) {
		this.store = store;
		this.nodes = nodes;
	}

	public PathStat stat(String reference, String path) {
		Container container = this.store.get(reference);
		return reworded(reference, path, () -> node(container).files()
			.statPath(StatPathRequest.newBuilder().setKey(container.id()).setPath(path).build())
			.getStat());
	}

	/** The stat of {@code path} first, then its tar. */
	public Iterator<ReadArchiveResponse> read(String reference, String path) {
		Container container = this.store.get(reference);
		Iterator<ReadArchiveResponse> parts = node(container).files()
			.readArchive(ReadArchiveRequest.newBuilder().setKey(container.id()).setPath(path).build());
		// the node answers the stat first: a missing path fails here, before anything is sent
		reworded(reference, path, parts::hasNext);
		return parts;
	}

	public Iterator<ExportSnapshotResponse> export(String reference) {
		Container container = this.store.get(reference);
		return node(container).files().exportSnapshot(ExportSnapshotRequest.newBuilder().setKey(container.id()).build());
	}

	/** {@code docker commit}: the writable layer as an image layer tar, whiteouts and all. */
	Iterator<DiffLayerResponse> diffLayer(Container container) {
		return node(container).files().diffLayer(DiffLayerRequest.newBuilder().setKey(container.id()).build());
	}

	public ChangesResponse changes(String reference) {
		Container container = this.store.get(reference);
		return node(container).files().changes(ChangesRequest.newBuilder().setKey(container.id()).build());
	}

	/**
	 * Docker's SizeRw and SizeRootFs of each container's filesystem, by container ID, asking each node
	 * once; a container whose snapshot is gone has none.
	 */
	public Map<String, SnapshotUsage> usage(Collection<Container> containers) {
		Map<String, List<String>> idsByNode = new HashMap<>();
		for (Container container : containers) {
			idsByNode.computeIfAbsent(container.node(), (node) -> new ArrayList<>()).add(container.id());
		}
		Map<String, SnapshotUsage> usages = new HashMap<>();
		idsByNode.forEach((node, ids) -> this.nodes.get(node)
			.files()
			.usage(UsageRequest.newBuilder().addAllKeys(ids).build())
			.getUsagesList()
			.forEach((usage) -> usages.put(usage.getKey(), usage)));
		return usages;
	}

	/** Where {@code docker cp} into a container sends the tar: opened with the options, fed chunk by chunk. */
	public interface ArchiveWriter {

		/** Waits while the node is behind, so a large tar is never held in memory. */
		void write(byte[] chunk);

		/** The tar is complete; returns when the node has extracted it. */
		void finish();

		void abort();

	}

	public ArchiveWriter write(String reference, String path, boolean noOverwriteDirNonDir, boolean copyUidGid) {
		Container container = this.store.get(reference);
		NodeWrite write = new NodeWrite(reference, path);
		node(container).filesAsync().writeArchive(write);
		write.send(WriteArchiveRequest.newBuilder()
			.setOptions(WriteArchiveOptions.newBuilder()
				.setKey(container.id())
				.setPath(path)
				.setNoOverwriteDirNonDir(noOverwriteDirNonDir)
				.setCopyUidGid(copyUidGid)
				.setUser(Containers.nullToEmpty(container.config().user())))
			.build());
		return write;
	}

	private Node node(Container container) {
		return this.nodes.get(container.node());
	}

	/** The node names the container by ID; Docker names it as the user did. */
	private static <T> T reworded(String reference, String path, java.util.function.Supplier<T> call) {
		try {
			return call.get();
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() == Status.Code.NOT_FOUND) {
				throw new NotFoundException("Could not find the file " + path + " in container " + reference);
			}
			throw ex;
		}
	}

	/** One WriteArchive call to the node, fed under its flow control. */
	private static final class NodeWrite implements ClientResponseObserver<WriteArchiveRequest, WriteArchiveResponse>,
			ArchiveWriter {

		private final String reference;

		private final String path;

		private final Semaphore ready = new Semaphore(0);

		private final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();

		private ClientCallStreamObserver<WriteArchiveRequest> requests;

		NodeWrite(String reference, String path) {
			this.reference = reference;
			this.path = path;
		}

		@Override
		public void beforeStart(ClientCallStreamObserver<WriteArchiveRequest> requests) {
			this.requests = requests;
			requests.setOnReadyHandler(this.ready::release);
		}

		void send(WriteArchiveRequest request) {
			while (!this.requests.isReady() && !this.done.isDone()) {
				try {
					this.ready.tryAcquire(100, java.util.concurrent.TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					abort();
					throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
				}
			}
			if (this.done.isDone()) {
				finish();
			}
			this.requests.onNext(request);
		}

		@Override
		public void write(byte[] chunk) {
			send(WriteArchiveRequest.newBuilder().setData(com.google.protobuf.ByteString.copyFrom(chunk)).build());
		}

		@Override
		public void finish() {
			if (!this.done.isDone()) {
				this.requests.onCompleted();
			}
			try {
				this.done.join();
			}
			catch (java.util.concurrent.CompletionException ex) {
				if (ex.getCause() instanceof StatusRuntimeException status) {
					reworded(this.reference, this.path, () -> {
						throw status;
					});
				}
				throw ex;
			}
		}

		@Override
		public void abort() {
			this.requests.cancel("the client's upload failed", null);
		}

		@Override
		public void onNext(WriteArchiveResponse response) {
		}

		@Override
		public void onError(Throwable error) {
			this.done.completeExceptionally(Status.fromThrowable(error).asRuntimeException());
			this.ready.release();
		}

		@Override
		public void onCompleted() {
			this.done.complete(null);
			this.ready.release();
		}

	}

}
