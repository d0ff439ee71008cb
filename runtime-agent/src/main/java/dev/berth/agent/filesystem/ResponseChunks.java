package dev.berth.agent.filesystem;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * A server stream of byte chunks as an output stream, written only as fast as the client takes
 * them: a tar of a whole root filesystem never piles up in the agent's heap. The writer must not
 * be the call's own thread (gRPC reports readiness on it); a client that goes away fails the
 * next write.
 */
final class ResponseChunks<T> extends OutputStream {

	private static final int CHUNK_BYTES = 256 * 1024;

	private final ServerCallStreamObserver<T> call;

	private final Function<ByteString, T> message;

	private final Object readiness = new Object();

	private final byte[] buffer = new byte[CHUNK_BYTES];

	private int filled;

	/** To be made before the service method returns: it takes over the call's readiness callbacks. */
	ResponseChunks(ServerCallStreamObserver<T> call, Function<ByteString, T> message) {
		this.call = call;
		this.message = message;
		Runnable wake = () -> {
			synchronized (this.readiness) {
				this.readiness.notifyAll();
			}
		};
		call.setOnReadyHandler(wake);
		call.setOnCancelHandler(wake);
	}

	/** Sends a message that is not data (the stat before a tar), in order with the data. */
	void send(T other) throws IOException {
		flush();
		awaitReady();
		this.call.onNext(other);
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		while (length > 0) {
			int n = Math.min(length, this.buffer.length - this.filled);
			System.arraycopy(bytes, offset, this.buffer, this.filled, n);
			this.filled += n;
			offset += n;
			length -= n;
			if (this.filled == this.buffer.length) {
				flush();
			}
		}
	}

	@Override
	public void flush() throws IOException {
		if (this.filled == 0) {
			return;
		}
		awaitReady();
		this.call.onNext(this.message.apply(ByteString.copyFrom(this.buffer, 0, this.filled)));
		this.filled = 0;
	}

	private void awaitReady() throws IOException {
		synchronized (this.readiness) {
			while (!this.call.isReady()) {
				if (this.call.isCancelled()) {
					throw new IOException("the client went away");
				}
				try {
					this.readiness.wait();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new InterruptedIOException("interrupted while the client was not reading");
				}
			}
		}
	}

}
