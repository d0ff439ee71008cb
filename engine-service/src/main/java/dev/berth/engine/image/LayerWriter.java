package dev.berth.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import dev.berth.engine.content.BlobWriter;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;

/**
 * Stores an uncompressed layer tar as a gzip blob, learning on the way what names it: the diff
 * ID (the digest of the tar as given) and the tar's size. One read of the tar does all of it, so
 * an archive entry or an import body is never read twice. The blob is left staged: the caller
 * commits it once the whole image checks out.
 */
final class LayerWriter {

	private static final int TAR_BLOCK = 512;

	private LayerWriter() {
	}

	/**
	 * A staged gzip blob with the diff ID and size of the tar it holds.
	 *
	 * @param entries how many entries the tar has; -1 when it was stored without being read as a tar
	 */
	record Staged(BlobWriter blob, Digest diffId, long unpackedSize, long entries) {

		/** A tar of no entry at all: a container that changed nothing, which dockerd commits as an empty layer. */
		boolean empty() {
			return this.entries == 0;
		}

	}

	/** Compresses {@code tar} to its end. */
	static Staged stage(ContentStore content, InputStream tar) throws IOException {
		return stage(content, tar, false);
	}

	/**
	 * Compresses {@code tar} to its end while a tar reader walks its entries, so that a body that
	 * is not a tar (docker import of the wrong file) fails here rather than on a node unpacking it.
	 */
	static Staged stageCheckingTar(ContentStore content, InputStream tar) throws IOException {
		return stage(content, tar, true);
	}

	private static Staged stage(ContentStore content, InputStream tar, boolean check) throws IOException {
		BlobWriter blob = content.newWriter();
		try {
			MessageDigest sha256 = Digest.newSha256();
			long size;
			long entries = -1;
			try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(blob)) {
				HashingOutputStream sink = new HashingOutputStream(gzip, sha256);
				if (check) {
					entries = copyCheckingTar(tar, sink);
				}
				else {
					tar.transferTo(sink);
				}
				size = sink.count;
			}
			blob.finish();
			return new Staged(blob, Digest.of(sha256), size, entries);
		}
		catch (IOException | RuntimeException ex) {
			blob.discard();
			throw ex;
		}
	}

	/** Copies the tar while walking it; returns how many entries it has. */
	private static long copyCheckingTar(InputStream in, HashingOutputStream sink) throws IOException {
		TeeInputStream tee = new TeeInputStream(in, sink);
		long entries = 0;
		try {
			TarArchiveInputStream tar = new TarArchiveInputStream(tee);
			while (tar.getNextEntry() != null) {
				// walking the headers reads (and so copies) every entry's data
				entries++;
			}
			// what follows the end-of-archive blocks is part of the layer, and of its diff ID
			tee.transferTo(OutputStream.nullOutputStream());
		}
		catch (IOException ex) {
			if (tee.streamFailed) {
				throw ex;
			}
			throw new InvalidImageException("the layer is not a valid tar archive: " + ex.getMessage());
		}
		if (sink.count % TAR_BLOCK != 0) {
			// Docker says "unexpected EOF" here: a tar is made of whole 512-byte blocks
			throw new InvalidImageException("the layer is not a valid tar archive: unexpected EOF after "
					+ sink.count + " bytes");
		}
		return entries;
	}

	/** Hashes and counts what passes through to {@code out}. */
	static final class HashingOutputStream extends OutputStream {

		private final OutputStream out;

		private final MessageDigest sha256;

		long count;

		HashingOutputStream(OutputStream out, MessageDigest sha256) {
			this.out = out;
			this.sha256 = sha256;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] buffer, int offset, int length) throws IOException {
			this.out.write(buffer, offset, length);
			this.sha256.update(buffer, offset, length);
			this.count += length;
		}

	}

	/**
	 * Copies what is read to {@code copy}. It extends {@link InputStream}, not
	 * {@code FilterInputStream}, on purpose: skipping must read, or skipped entry data would
	 * never reach the copy.
	 */
	private static final class TeeInputStream extends InputStream {

		private final InputStream in;

		private final OutputStream copy;

		/** Whether reading the source or writing the copy failed: an I/O error, not a bad tar. */
		boolean streamFailed;

		TeeInputStream(InputStream in, OutputStream copy) {
			this.in = in;
			this.copy = copy;
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
				this.streamFailed = true;
				throw ex;
			}
			if (n > 0) {
				try {
					this.copy.write(buffer, offset, n);
				}
				catch (IOException ex) {
					this.streamFailed = true;
					throw ex;
				}
			}
			return n;
		}

	}

}
