package dev.berth.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.BlobTap;
import dev.berth.engine.registry.Descriptor;

/**
 * Computes layers' diff IDs while they download: each layer's bytes go through a small queue to
 * a thread that decompresses and hashes them, so the check costs no second read of the blob and
 * runs beside the network instead of after it. One tap serves one pull.
 */
final class DiffTap implements BlobTap, AutoCloseable {

	/** Chunks in flight per layer: enough to ride out jitter, little enough to stay small. */
	private static final int QUEUE_CHUNKS = 32;

	private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

	private final Map<Digest, Future<LayerDiff.Result>> results = new ConcurrentHashMap<>();

	@Override
	public Sink open(Descriptor blob) {
		Pipe pipe = new Pipe();
		Future<LayerDiff.Result> result = this.executor.submit(() -> {
			try {
				return LayerDiff.of(pipe);
			}
			finally {
				// bytes after the compressed stream still arrive: take them, so the download never waits
				pipe.readerDone();
			}
		});
		this.results.put(blob.digest(), result);
		return new Sink() {
			@Override
			public void write(byte[] buffer, int offset, int length) {
				pipe.write(buffer, offset, length);
			}

			@Override
			public void complete() {
				pipe.end();
			}

			@Override
			public void abort() {
				DiffTap.this.results.remove(blob.digest(), result);
				result.cancel(true);
				pipe.readerDone();
			}
		};
	}

	/** The diff ID computed while the blob downloaded, or null when it was not (resumed, failed). */
	LayerDiff.Result resultOf(Digest blob) {
		Future<LayerDiff.Result> result = this.results.get(blob);
		if (result == null) {
			return null;
		}
		try {
			return result.get();
		}
		catch (ExecutionException ex) {
			// not a layer this reader understands: the caller reads the stored blob and says why
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	@Override
	public void close() {
		this.results.values().forEach((result) -> result.cancel(true));
		this.executor.shutdownNow();
	}

	/** A bounded queue of chunks read as a stream; writes are dropped once the reader is gone. */
	private static final class Pipe extends InputStream {

		private static final byte[] END = new byte[0];

		private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(QUEUE_CHUNKS);

		private volatile boolean readerDone;

		private byte[] current = new byte[0];

		private int position;

		private boolean ended;

		void write(byte[] buffer, int offset, int length) {
			byte[] copy = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
			put(copy);
		}

		void end() {
			put(END);
		}

		private void put(byte[] chunk) {
			try {
				while (!this.readerDone && !this.chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
					// waiting for the reader, or for it to be done
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		void readerDone() {
			this.readerDone = true;
			this.chunks.clear();
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			while (this.position == this.current.length) {
				if (this.ended) {
					return -1;
				}
				try {
					this.current = this.chunks.take();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new InterruptedIOException("diff ID computation stopped");
				}
				this.position = 0;
				this.ended = (this.current == END);
			}
			int n = Math.min(length, this.current.length - this.position);
			System.arraycopy(this.current, this.position, buffer, offset, n);
			this.position += n;
			return n;
		}

	}

}
