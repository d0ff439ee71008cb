package dev.berth.engine.content;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * One blob being written into the {@link ContentStore}: hashed as it is written, refused the
 * moment it grows past its descriptor's size, and committed only when size and digest both
 * match. Closing without committing keeps the data written so far for a later resume; a
 * mismatch discards it, since a prefix of wrong bytes is worth nothing.
 */
public final class Ingest implements AutoCloseable {

	/** How much is written before the disk is asked to start writing it back. */
	private static final long FLUSH_EVERY = 16L << 20;

	private final ContentStore store;

	private final Digest expected;

	private final long expectedSize;

	private final Path directory;

	private final Path data;

	private final Runnable release;

	private final boolean complete;

	private MessageDigest sha256 = Digest.newSha256();

	private FileChannel channel;

	private long written;

	private boolean closed;

	/** Bytes written since the last background flush started. */
	private long unflushed;

	/** The background flush under way, if any. */
	private Thread flushing;

	Ingest(ContentStore store, Digest expected, long expectedSize, Path directory, Runnable release) {
		this.store = store;
		this.expected = expected;
		this.expectedSize = expectedSize;
		this.directory = directory;
		this.data = directory.resolve("data");
		this.release = release;
		this.complete = store.has(expected);
		if (!this.complete) {
			resumeFromDisk();
		}
	}

	private void resumeFromDisk() {
		try {
			Files.createDirectories(this.directory);
			this.channel = FileChannel.open(this.data, StandardOpenOption.CREATE, StandardOpenOption.READ,
					StandardOpenOption.WRITE);
			long kept = this.channel.size();
			if (kept > this.expectedSize) {
				// longer than the blob can be: left by a different descriptor, start over
				this.channel.truncate(0);
				kept = 0;
			}
			// the digest state cannot be saved, so the kept prefix is hashed again
			ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
			this.channel.position(0);
			while (this.written < kept) {
				buffer.clear();
				int n = this.channel.read(buffer);
				if (n < 0) {
					break;
				}
				this.sha256.update(buffer.array(), 0, n);
				this.written += n;
			}
			this.channel.position(this.written);
		}
		catch (IOException ex) {
			closeQuietly();
			throw new ContentException("cannot open the ingest of " + this.expected + ": " + ex.getMessage(), ex);
		}
	}

	public Digest digest() {
		return this.expected;
	}

	public long expectedSize() {
		return this.expectedSize;
	}

	/** True when the blob was already in the store: nothing to write, nothing to commit. */
	public boolean isComplete() {
		return this.complete;
	}

	/** How many bytes are already written: where a download resumes. */
	public long offset() {
		return this.written;
	}

	/** Drops what an earlier attempt kept, for a source that cannot resume. */
	public void restart() {
		requireOpen();
		try {
			this.channel.truncate(0);
			this.channel.position(0);
			this.sha256 = Digest.newSha256();
			this.written = 0;
		}
		catch (IOException ex) {
			throw new ContentException("cannot truncate the ingest of " + this.expected + ": " + ex.getMessage(), ex);
		}
	}

	public void write(byte[] buffer, int offset, int length) {
		requireOpen();
		if (this.written + length > this.expectedSize) {
			discard();
			throw new ContentException("blob " + this.expected + " is larger than the " + this.expectedSize
					+ " bytes its descriptor gives");
		}
		try {
			ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
			while (bytes.hasRemaining()) {
				this.channel.write(bytes);
			}
		}
		catch (IOException ex) {
			throw new ContentException("cannot write blob " + this.expected + ": " + ex.getMessage(), ex);
		}
		this.sha256.update(buffer, offset, length);
		this.written += length;
		this.unflushed += length;
		if (this.unflushed >= FLUSH_EVERY && (this.flushing == null || !this.flushing.isAlive())) {
			this.unflushed = 0;
			// start the disk writing now, beside the download, so the commit's flush finds little left
			FileChannel target = this.channel;
			this.flushing = Thread.ofVirtual().start(() -> {
				try {
					target.force(false);
				}
				catch (IOException ignored) {
					// the commit's own flush reports what is wrong
				}
			});
		}
	}

	/** Copies a stream to the end, returning how many bytes it gave. */
	public long writeAll(InputStream in) throws IOException {
		byte[] buffer = new byte[1 << 16];
		long total = 0;
		int n;
		while ((n = in.read(buffer)) >= 0) {
			write(buffer, 0, n);
			total += n;
		}
		return total;
	}

	/** Verifies size and digest, then makes the blob visible; a mismatch discards the data. */
	public void commit() {
		if (this.complete) {
			return;
		}
		requireOpen();
		if (this.written != this.expectedSize) {
			discard();
			throw new ContentException("blob " + this.expected + " ended after " + this.written + " of "
					+ this.expectedSize + " bytes");
		}
		Digest actual = Digest.of(this.sha256);
		if (!actual.equals(this.expected)) {
			discard();
			throw new ContentException("blob digest mismatch: expected " + this.expected + ", got " + actual);
		}
		try {
			if (this.flushing != null) {
				this.flushing.join();
			}
			// the data must be on disk before the rename makes it the blob
			this.channel.force(true);
			this.channel.close();
			this.store.commit(this.data, this.expected);
			Files.deleteIfExists(this.directory);
		}
		catch (IOException ex) {
			throw new ContentException("cannot commit blob " + this.expected + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ContentException("interrupted while committing blob " + this.expected, ex);
		}
		finally {
			finish();
		}
	}

	/** Throws away the partial data: it cannot be a prefix of the expected blob. */
	public void discard() {
		if (this.closed) {
			return;
		}
		try {
			closeQuietly();
			Files.deleteIfExists(this.data);
			Files.deleteIfExists(this.directory);
		}
		catch (IOException ignored) {
			// a leftover ingest is restarted or truncated by the next attempt
		}
		finally {
			finish();
		}
	}

	/** Keeps what was written for a later resume and lets the next writer in. */
	@Override
	public void close() {
		if (!this.closed) {
			closeQuietly();
			finish();
		}
	}

	private void requireOpen() {
		if (this.closed || this.channel == null) {
			throw new IllegalStateException("the ingest of " + this.expected + " is closed");
		}
	}

	private void closeQuietly() {
		if (this.channel != null) {
			try {
				this.channel.close();
			}
			catch (IOException ignored) {
				// nothing more to flush: the data is either verified later or discarded
			}
		}
	}

	private void finish() {
		this.closed = true;
		this.release.run();
	}

}
