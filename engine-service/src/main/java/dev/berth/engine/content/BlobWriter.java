package dev.berth.engine.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * A blob whose digest is learned only once it is written: a layer compressed here, an entry of an
 * archive being loaded. The bytes are staged in the store's scratch directory, hashed as they
 * come, and reach {@code blobs/} only by {@link #commit()}, a rename. Until then they can be
 * read back ({@link #openStaged()}) and thrown away ({@link #discard()}) without the store ever
 * having held them: a load that fails halfway leaves nothing behind.
 */
public final class BlobWriter extends OutputStream {

	private enum State {
		WRITING, FINISHED, COMMITTED, DISCARDED
	}

	private final ContentStore store;

	private final Path file;

	private final MessageDigest sha256 = Digest.newSha256();

	private FileChannel channel;

	private long size;

	private Digest digest;

	private State state = State.WRITING;

	BlobWriter(ContentStore store, Path file) {
		this.store = store;
		this.file = file;
		try {
			this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		}
		catch (IOException ex) {
			throw new ContentException("cannot create " + file + ": " + ex.getMessage(), ex);
		}
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] buffer, int offset, int length) throws IOException {
		if (this.state != State.WRITING) {
			throw new IllegalStateException("blob writer is " + this.state.name().toLowerCase());
		}
		ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
		while (bytes.hasRemaining()) {
			this.channel.write(bytes);
		}
		this.sha256.update(buffer, offset, length);
		this.size += length;
	}

	/** Ends the writing and fixes the digest; the blob stays staged until {@link #commit()}. */
	public Digest finish() {
		if (this.state == State.WRITING) {
			closeChannel();
			this.digest = Digest.of(this.sha256);
			this.state = State.FINISHED;
		}
		requireFinished();
		return this.digest;
	}

	public Digest digest() {
		requireFinished();
		return this.digest;
	}

	public long size() {
		return this.size;
	}

	/** Reads the staged bytes back, for checks that must see them before they are committed. */
	public InputStream openStaged() {
		requireFinished();
		if (this.state != State.FINISHED) {
			throw new IllegalStateException("blob " + this.digest + " is no longer staged");
		}
		try {
			return Channels.newInputStream(FileChannel.open(this.file, StandardOpenOption.READ));
		}
		catch (IOException ex) {
			throw new ContentException("cannot read staged blob " + this.digest + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Makes the blob part of the store. The data is flushed first so that the rename never
	 * publishes a file whose bytes are not on disk; a blob the store already holds is simply
	 * replaced by identical bytes.
	 */
	public Digest commit() {
		finish();
		if (this.state == State.COMMITTED) {
			return this.digest;
		}
		if (this.state != State.FINISHED) {
			throw new IllegalStateException("blob " + this.digest + " was discarded");
		}
		try {
			try (FileChannel data = FileChannel.open(this.file, StandardOpenOption.WRITE)) {
				data.force(true);
			}
			this.store.commit(this.file, this.digest);
			this.state = State.COMMITTED;
			return this.digest;
		}
		catch (IOException ex) {
			discard();
			throw new ContentException("cannot commit blob " + this.digest + ": " + ex.getMessage(), ex);
		}
	}

	public boolean isCommitted() {
		return this.state == State.COMMITTED;
	}

	/** Deletes the staged bytes; a committed blob stays, it belongs to the store now. */
	public void discard() {
		if (this.state == State.COMMITTED || this.state == State.DISCARDED) {
			return;
		}
		closeChannel();
		this.state = State.DISCARDED;
		try {
			Files.deleteIfExists(this.file);
		}
		catch (IOException ignored) {
			// the scratch directory is emptied when the store next opens
		}
	}

	/** An uncommitted writer leaves nothing behind when closed. */
	@Override
	public void close() {
		discard();
	}

	private void requireFinished() {
		if (this.digest == null) {
			throw new IllegalStateException("the blob is still being written");
		}
	}

	private void closeChannel() {
		if (this.channel != null) {
			try {
				this.channel.close();
			}
			catch (IOException ignored) {
				// nothing to flush: the data is committed with a fresh force, or discarded
			}
			this.channel = null;
		}
	}

}
