package dev.berth.engine.image;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * An output stream that sends what is written to a server stream in chunks of {@value #CHUNK}
 * bytes, following the client's flow control: a chunk goes out only while the call is ready, and
 * the writer waits for gRPC's on-ready signal otherwise. A save of a 10 GiB image to a slow
 * client costs one chunk of memory, and the writer stops (with an {@link IOException}) as soon
 * as the client cancels.
 */
final class ChunkOutputStream<T> extends OutputStream {

	static final int CHUNK = 1 << 20;

	private final ServerCallStreamObserver<T> call;

	private final Function<ByteString, T> message;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final byte[] buffer = new byte[CHUNK];

	private int filled;

	private volatile boolean cancelled;

	/** Installs the call's ready and cancel handlers; to be made before the service method returns. */
	ChunkOutputStream(ServerCallStreamObserver<T> call, Function<ByteString, T> message) {
		this.call = call;
		this.message = message;
		call.setOnReadyHandler(this::signal);
		call.setOnCancelHandler(() -> {
			this.cancelled = true;
			signal();
		});
	}

	boolean isCancelled() {
		return this.cancelled;
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		while (length > 0) {
			int n = Math.min(length, CHUNK - this.filled);
			System.arraycopy(bytes, offset, this.buffer, this.filled, n);
			this.filled += n;
			offset += n;
			length -= n;
			if (this.filled == CHUNK) {
				send();
			}
		}
	}

	@Override
	public void flush() throws IOException {
		if (this.filled > 0) {
			send();
		}
	}

	@Override
	public void close() throws IOException {
		flush();
	}

	private void send() throws IOException {
		this.lock.lock();
		try {
			// isReady() turns true again only through the on-ready handler, which signals; the
			// timeout is a safety net, not the mechanism
			while (!this.cancelled && !this.call.isReady()) {
				this.changed.await(1, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while waiting for the client");
		}
		finally {
			this.lock.unlock();
		}
		if (this.cancelled) {
			throw new IOException("the client cancelled the call");
		}
		this.call.onNext(this.message.apply(ByteString.copyFrom(this.buffer, 0, this.filled)));
		this.filled = 0;
	}

	private void signal() {
		this.lock.lock();
		try {
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

}
