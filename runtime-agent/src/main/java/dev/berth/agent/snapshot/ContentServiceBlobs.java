package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;

import dev.berth.contracts.engine.v1.ContentServiceGrpc;
import dev.berth.contracts.engine.v1.ReadRequest;
import dev.berth.contracts.engine.v1.ReadResponse;

/**
 * Blobs streamed from engine-service's {@code ContentService}, for agents on any machine. A
 * stream that breaks is reopened at the offset reached, a few times, before the read fails.
 */
final class ContentServiceBlobs implements BlobSource {

	private static final int ATTEMPTS = 3;

	private final ContentServiceGrpc.ContentServiceBlockingStub content;

	ContentServiceBlobs(ContentServiceGrpc.ContentServiceBlockingStub content) {
		this.content = content;
	}

	@Override
	public InputStream open(String digest) {
		return new ChunkStream(digest);
	}

	private final class ChunkStream extends InputStream {

		private final String digest;

		private final Context.CancellableContext call = Context.current().withCancellation();

		private Iterator<ReadResponse> chunks;

		private byte[] chunk = new byte[0];

		private int position;

		private long offset;

		private int failures;

		ChunkStream(String digest) {
			this.digest = digest;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xff;
		}

		@Override
		public int read(byte[] buffer, int off, int length) throws IOException {
			while (this.position == this.chunk.length) {
				if (!nextChunk()) {
					return -1;
				}
			}
			int n = Math.min(length, this.chunk.length - this.position);
			System.arraycopy(this.chunk, this.position, buffer, off, n);
			this.position += n;
			this.offset += n;
			return n;
		}

		/** The next chunk, reopening the stream at the current offset after a transient failure. */
		private boolean nextChunk() throws IOException {
			while (true) {
				try {
					if (this.chunks == null) {
						Iterator<ReadResponse> opened = this.call.call(() -> ContentServiceBlobs.this.content
							.read(ReadRequest.newBuilder().setDigest(this.digest).setOffset(this.offset).build()));
						this.chunks = opened;
					}
					if (!this.chunks.hasNext()) {
						return false;
					}
					ReadResponse response = this.chunks.next();
					if (response.getOffset() != this.offset) {
						throw new IOException("blob " + this.digest + " chunk at " + response.getOffset() + ", expected "
								+ this.offset);
					}
					this.chunk = response.getData().toByteArray();
					this.position = 0;
					return true;
				}
				catch (StatusRuntimeException ex) {
					this.chunks = null;
					if (++this.failures >= ATTEMPTS || ex.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND
							|| ex.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT) {
						throw new IOException("reading blob " + this.digest + " from engine-service: "
								+ ex.getStatus().getDescription(), ex);
					}
				}
				catch (Exception ex) {
					if (ex instanceof IOException io) {
						throw io;
					}
					throw new IOException("reading blob " + this.digest + ": " + ex.getMessage(), ex);
				}
			}
		}

		@Override
		public void close() {
			// stops the server's stream if the reader gave up early
			this.call.cancel(null);
		}

	}

}
