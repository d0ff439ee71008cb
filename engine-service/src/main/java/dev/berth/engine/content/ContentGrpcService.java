package dev.berth.engine.content;

import java.io.IOException;
import java.io.InputStream;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import dev.berth.contracts.engine.v1.ContentServiceGrpc;
import dev.berth.contracts.engine.v1.InfoRequest;
import dev.berth.contracts.engine.v1.InfoResponse;
import dev.berth.contracts.engine.v1.ReadRequest;
import dev.berth.contracts.engine.v1.ReadResponse;
import dev.berth.engine.EngineErrors;

import org.springframework.stereotype.Service;

/**
 * Serves blobs to agents. Reads follow the client's flow control: a chunk is read from disk only
 * when the transport can take it, so a slow agent pulling a 1 GiB layer costs one chunk of
 * memory, not the layer.
 */
@Service
class ContentGrpcService extends ContentServiceGrpc.ContentServiceImplBase {

	private static final int CHUNK = 1 << 20;

	private final ContentStore store;

	ContentGrpcService(ContentStore store) {
		this.store = store;
	}

	@Override
	public void info(InfoRequest request, StreamObserver<InfoResponse> responses) {
		try {
			Digest digest = Digest.parse(request.getDigest());
			responses.onNext(InfoResponse.newBuilder().setDigest(digest.toString()).setSize(this.store.size(digest)).build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void read(ReadRequest request, StreamObserver<ReadResponse> responses) {
		ServerCallStreamObserver<ReadResponse> call = (ServerCallStreamObserver<ReadResponse>) responses;
		InputStream in;
		long offset = request.getOffset();
		try {
			Digest digest = Digest.parse(request.getDigest());
			long size = this.store.size(digest);
			if (offset < 0 || offset > size) {
				throw new IllegalArgumentException("offset " + offset + " is outside blob " + digest + " of " + size + " bytes");
			}
			in = this.store.open(digest, offset);
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
			return;
		}
		new BlobSender(call, in, offset).start();
	}

	/** Sends chunks while the call is ready; gRPC calls back when it is ready again. */
	private static final class BlobSender implements Runnable {

		private final ServerCallStreamObserver<ReadResponse> call;

		private final InputStream in;

		private long position;

		private boolean done;

		BlobSender(ServerCallStreamObserver<ReadResponse> call, InputStream in, long offset) {
			this.call = call;
			this.in = in;
			this.position = offset;
		}

		void start() {
			this.call.setOnCancelHandler(this::close);
			this.call.setOnReadyHandler(this);
			run();
		}

		@Override
		public synchronized void run() {
			try {
				while (!this.done && this.call.isReady() && !this.call.isCancelled()) {
					byte[] chunk = this.in.readNBytes(CHUNK);
					if (chunk.length == 0) {
						this.done = true;
						close();
						this.call.onCompleted();
						return;
					}
					this.call.onNext(ReadResponse.newBuilder().setOffset(this.position).setData(ByteString.copyFrom(chunk)).build());
					this.position += chunk.length;
				}
			}
			catch (IOException | RuntimeException ex) {
				this.done = true;
				close();
				this.call.onError(EngineErrors.toStatus(new ContentException("reading blob: " + ex.getMessage(), ex)));
			}
		}

		private void close() {
			try {
				this.in.close();
			}
			catch (IOException ignored) {
				// read-only file: nothing to lose
			}
		}

	}

}
