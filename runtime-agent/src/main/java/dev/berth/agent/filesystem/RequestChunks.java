package dev.berth.agent.filesystem;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * A client stream of byte chunks as an input stream, asked of the client one message at a time
 * as the reader takes them: an archive being extracted is never held whole in the agent's heap.
 */
final class RequestChunks extends InputStream {

	private static final Object END = new Object();

	private final ServerCallStreamObserver<?> call;

	private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();

	private ByteString current = ByteString.EMPTY;

	private int position;

	private boolean ended;

	/** To be made before the service method returns: it takes over the call's flow control. */
	RequestChunks(ServerCallStreamObserver<?> call) {
		this.call = call;
		call.disableAutoRequest();
	}

	void requestNext() {
		this.call.request(1);
	}

	void add(ByteString data) {
		this.arrived.add(data);
	}

	void end() {
		this.arrived.add(END);
	}

	void fail(Throwable cause) {
		this.arrived.add((cause != null) ? cause : new IOException("the client went away"));
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		while (this.position == this.current.size()) {
			if (this.ended) {
				return -1;
			}
			Object next;
			try {
				next = this.arrived.take();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("interrupted while waiting for the archive");
			}
			if (next == END) {
				this.ended = true;
				return -1;
			}
			if (next instanceof Throwable failure) {
				this.ended = true;
				throw new IOException("the archive did not arrive whole: " + failure.getMessage(), failure);
			}
			this.current = (ByteString) next;
			this.position = 0;
			requestNext();
		}
		int n = Math.min(length, this.current.size() - this.position);
		this.current.copyTo(buffer, this.position, offset, n);
		this.position += n;
		return n;
	}

}
