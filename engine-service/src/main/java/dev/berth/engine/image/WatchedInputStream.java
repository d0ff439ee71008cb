package dev.berth.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * Counts what is read, refuses more than a maximum, and remembers whether the stream underneath
 * failed. Put around a client's stream, that last part tells a broken connection (an I/O error,
 * reported as such) from bytes that are not what they claim to be (the client's fault, a 400).
 */
final class WatchedInputStream extends InputStream {

	private final InputStream in;

	private final long max;

	private final Supplier<RuntimeException> tooLarge;

	private long count;

	private boolean failed;

	WatchedInputStream(InputStream in) {
		this(in, Long.MAX_VALUE, () -> new IllegalStateException("unreachable"));
	}

	WatchedInputStream(InputStream in, long max, Supplier<RuntimeException> tooLarge) {
		this.in = in;
		this.max = max;
		this.tooLarge = tooLarge;
	}

	boolean failed() {
		return this.failed;
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n;
		try {
			n = this.in.read(buffer, offset, length);
		}
		catch (IOException ex) {
			this.failed = true;
			throw ex;
		}
		if (n > 0) {
			this.count += n;
			if (this.count > this.max) {
				throw this.tooLarge.get();
			}
		}
		return n;
	}

	@Override
	public void close() throws IOException {
		this.in.close();
	}

}
