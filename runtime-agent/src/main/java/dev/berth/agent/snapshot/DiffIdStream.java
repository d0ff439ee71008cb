package dev.berth.agent.snapshot;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;

import dev.berth.contracts.digest.Sha256;

/**
 * A layer blob as its uncompressed tar stream, hashed into the diff ID and counted while the tar
 * reader consumes it. The diff ID covers every byte up to the end of the stream: the tar reader
 * stops at the end-of-archive blocks, so {@link #drain()} reads the rest, and skips are read
 * through rather than passed down, or the skipped bytes would be missing from the digest. The
 * count stops a decompression bomb at the limit, not when the disk is full.
 */
final class DiffIdStream extends InputStream {

	private static final int BUFFER_BYTES = 64 * 1024;

	private final InputStream uncompressed;

	private final Compression compression;

	private final long maxBytes;

	private final MessageDigest digest;

	private long size;

	private DiffIdStream(InputStream uncompressed, Compression compression, long maxBytes) {
		this.uncompressed = uncompressed;
		this.compression = compression;
		this.maxBytes = maxBytes;
		this.digest = Sha256.newDigest();
	}

	/** Opens {@code blob}, compressed or not as its first bytes say. Closing this leaves {@code blob} open. */
	static DiffIdStream open(InputStream blob, long maxBytes) throws IOException {
		BufferedInputStream buffered = new BufferedInputStream(new CallerOwned(blob), BUFFER_BYTES);
		buffered.mark(Compression.MAGIC_BYTES);
		byte[] head = buffered.readNBytes(Compression.MAGIC_BYTES);
		buffered.reset();
		Compression compression = Compression.detect(head, head.length);
		InputStream uncompressed = switch (compression) {
			case GZIP -> new GZIPInputStream(buffered, BUFFER_BYTES);
			case ZSTD -> new ZstdInputStreamNoFinalizer(buffered);
			case NONE -> buffered;
		};
		return new DiffIdStream(uncompressed, compression, maxBytes);
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) == 1) ? one[0] & 0xff : -1;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int read = this.uncompressed.read(buffer, offset, length);
		if (read > 0) {
			this.size += read;
			if (this.size > this.maxBytes) {
				throw LayerUnpackException.ofLayer("the uncompressed layer is larger than the limit of "
						+ this.maxBytes + " bytes");
			}
			this.digest.update(buffer, offset, read);
		}
		return read;
	}

	@Override
	public long skip(long count) throws IOException {
		byte[] scratch = new byte[(int) Math.min(count, BUFFER_BYTES)];
		long skipped = 0;
		while (skipped < count) {
			int read = read(scratch, 0, (int) Math.min(scratch.length, count - skipped));
			if (read < 0) {
				break;
			}
			skipped += read;
		}
		return skipped;
	}

	/** Reads to the end of the stream: a tar's end-of-archive blocks and anything after them count. */
	void drain() throws IOException {
		byte[] scratch = new byte[BUFFER_BYTES];
		while (read(scratch, 0, scratch.length) >= 0) {
			// only hashed and counted
		}
	}

	/** {@code sha256:<hex>} of what was read; call once, after {@link #drain()}. */
	String diffId() {
		return "sha256:" + HexFormat.of().formatHex(this.digest.digest());
	}

	long size() {
		return this.size;
	}

	Compression compression() {
		return this.compression;
	}

	@Override
	public void close() throws IOException {
		// ends the inflater or the zstd context; the blob itself stays the caller's
		this.uncompressed.close();
	}

	/** The caller's stream, which closing the decompressors must not close. */
	private static final class CallerOwned extends FilterInputStream {

		CallerOwned(InputStream in) {
			super(in);
		}

		@Override
		public void close() {
		}

	}

}
