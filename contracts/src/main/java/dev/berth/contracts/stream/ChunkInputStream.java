package dev.berth.contracts.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * The bytes of a client stream (an archive to load, a tar to import or extract) as an input stream, pulled
 * at the reader's pace. The call's automatic requests are off: the next message is requested only
 * when the reader has taken the previous one, so however slow the reader, a chunk or two are in
 * memory, never the archive. gRPC delivers with {@link #add}, {@link #end} and {@link #fail}; one
 * thread reads.
 */
public final class ChunkInputStream extends InputStream {

	private static final Object END = new Object();

	private final ServerCallStreamObserver<?> call;

	private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();

	private ByteString current = ByteString.EMPTY;

	private int position;

	private boolean ended;

	/** Takes over the call's flow control; to be called before the service method returns. */
	public ChunkInputStream(ServerCallStreamObserver<?> call) {
		this.call = call;
		call.disableAutoRequest();
	}

	/**
	 * Asks the client for one more message: the first one, or the one after a message that was
	 * not data (options). Data messages are requested by the reader as it takes them.
	 */
	public void requestNext() {
		this.call.request(1);
	}

	public void add(ByteString data) {
		this.arrived.add(data);
	}

	public void end() {
		this.arrived.add(END);
	}

	public void fail(Throwable cause) {
		this.arrived.add((cause != null) ? cause : new IOException("the client went away"));
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		if (length == 0) {
			return 0;
		}
		while (this.position == this.current.size()) {
			if (this.ended) {
				return -1;
			}
			next();
		}
		int n = Math.min(length, this.current.size() - this.position);
		this.current.copyTo(buffer, this.position, offset, n);
		this.position += n;
		return n;
	}

	private void next() throws IOException {
		Object item;
		try {
			item = this.arrived.take();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while waiting for the client");
		}
		if (item == END) {
			this.ended = true;
			return;
		}
		if (item instanceof Throwable cause) {
			this.ended = true;
			throw new IOException("the client's stream broke: " + cause.getMessage(), cause);
		}
		this.current = (ByteString) item;
		this.position = 0;
		// one message in hand, the next one on its way
		this.call.request(1);
	}

	/**
	 * Reads and drops what the client still sends after the reader is done (the zero blocks that
	 * pad a tar), up to {@code limit} bytes; returns whether the stream ended within it.
	 */
	public boolean drain(long limit) throws IOException {
		byte[] buffer = new byte[1 << 16];
		long drained = 0;
		int n;
		while (drained <= limit && (n = read(buffer, 0, buffer.length)) >= 0) {
			drained += n;
		}
		return drained <= limit;
	}

}
