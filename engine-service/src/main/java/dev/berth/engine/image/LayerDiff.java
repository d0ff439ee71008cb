package dev.berth.engine.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

import com.github.luben.zstd.ZstdInputStream;

import dev.berth.engine.content.Digest;

/**
 * The diff ID of a layer blob: the digest of its uncompressed tar, and that tar's size. The
 * compression is read from the first bytes, not trusted from the media type: registries and
 * tools disagree on media types far more often than on magic numbers.
 */
final class LayerDiff {

	private static final byte[] GZIP_MAGIC = { 0x1f, (byte) 0x8b };

	private static final byte[] ZSTD_MAGIC = { 0x28, (byte) 0xb5, 0x2f, (byte) 0xfd };

	private static final byte[] TAR_MAGIC = { 'u', 's', 't', 'a', 'r' };

	private static final int TAR_MAGIC_OFFSET = 257;

	private LayerDiff() {
	}

	record Result(Digest diffId, long size) {
	}

	/** How a blob's bytes are compressed, told by their first bytes. */
	enum Compression {

		NONE, GZIP, ZSTD;

		static Compression of(byte[] head) {
			if (startsWith(head, GZIP_MAGIC)) {
				return GZIP;
			}
			return startsWith(head, ZSTD_MAGIC) ? ZSTD : NONE;
		}

	}

	/**
	 * Whether the first bytes of a stream are a tar header: POSIX and GNU tars both write
	 * {@code ustar} at offset 257. A tar without it (pre-POSIX, or only end-of-archive blocks) is
	 * not recognized, which costs nothing but a second read of it later.
	 */
	static boolean looksLikeTar(byte[] head) {
		return head.length >= TAR_MAGIC_OFFSET + TAR_MAGIC.length
				&& Arrays.equals(head, TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + TAR_MAGIC.length, TAR_MAGIC, 0,
						TAR_MAGIC.length);
	}

	static Result of(InputStream blob) throws IOException {
		BufferedInputStream in = new BufferedInputStream(blob, 1 << 16);
		MessageDigest sha256 = Digest.newSha256();
		long size;
		try (InputStream tar = decompressed(in)) {
			size = tar.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), sha256));
		}
		return new Result(Digest.of(sha256), size);
	}

	/** Wraps a blob stream in the decompressor its magic number asks for. */
	static InputStream decompressed(BufferedInputStream in) throws IOException {
		in.mark(4);
		byte[] head = in.readNBytes(4);
		in.reset();
		return decompressed(in, Compression.of(head));
	}

	static InputStream decompressed(InputStream in, Compression compression) throws IOException {
		return switch (compression) {
			case GZIP -> new GZIPInputStream(in, 1 << 16);
			case ZSTD -> new ZstdInputStream(in);
			case NONE -> in;
		};
	}

	private static boolean startsWith(byte[] head, byte[] magic) {
		if (head.length < magic.length) {
			return false;
		}
		for (int i = 0; i < magic.length; i++) {
			if (head[i] != magic[i]) {
				return false;
			}
		}
		return true;
	}

}
