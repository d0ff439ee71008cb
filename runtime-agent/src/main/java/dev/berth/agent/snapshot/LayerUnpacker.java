package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import dev.berth.runtime.linux.DirFd;

/**
 * Unpacks an image layer into an empty directory that becomes an overlayfs lower layer, and
 * computes the layer's diff ID on the way.
 *
 * <p>The blob is a tar stream, uncompressed, gzip or zstd, as its first bytes say. Entries keep
 * their mode (setuid, setgid and sticky bits included), owner, times and extended attributes;
 * whiteouts become overlayfs whiteouts (a 0/0 character device) and opaque markers the
 * {@code trusted.overlay.opaque} attribute. Nothing is ever written outside the target: names
 * that climb out are refused, links are never followed on the way to a write, and a hard link can
 * only name an entry of the same layer. Caps ({@link UnpackLimits}) stop decompression bombs.
 *
 * <p>On failure the target holds part of the layer: the caller removes it with
 * {@link TreeRemoval#removeTree(Path)}, which does not follow the links the layer left there.
 */
public final class LayerUnpacker {

	private final UnpackLimits limits;

	public LayerUnpacker() {
		this(UnpackLimits.DEFAULTS);
	}

	public LayerUnpacker(UnpackLimits limits) {
		this.limits = limits;
	}

	/** {@link #unpack(InputStream, Path, Compression)} without a hint. */
	public UnpackResult unpack(InputStream blob, Path target) throws IOException {
		return unpack(blob, target, null);
	}

	/**
	 * Unpacks {@code blob}, read to its end but left open, into {@code target}, an existing empty
	 * directory.
	 * @param hint the compression the layer's media type declares, or null. The blob's bytes
	 * decide, as with Docker (registries mislabel layers); the hint only explains an unreadable one.
	 * @throws LayerUnpackException if the layer is refused: an unsafe or overlong name, a cap
	 * exceeded, a malformed stream
	 * @throws IOException if reading the blob fails
	 */
	public UnpackResult unpack(InputStream blob, Path target, Compression hint) throws IOException {
		try (LayerWriter writer = LayerWriter.open(target, this.limits.maxUncompressedBytes())) {
			return write(blob, writer, hint);
		}
	}

	/**
	 * Extracts {@code archive} (a tar, perhaps compressed, read to its end but left open) into
	 * {@code target}, a directory that may already hold files, as docker cp does: what an entry
	 * names is replaced, a directory over a directory is kept. The same guarantees as for a layer:
	 * nothing outside {@code target} is written, links are never followed on the way, the caps
	 * hold.
	 */
	public void extract(InputStream archive, DirFd target, ExtractOptions options) throws IOException {
		try (LayerWriter writer = LayerWriter.openExisting(target, this.limits.maxUncompressedBytes(), options)) {
			write(archive, writer, null);
		}
	}

	private UnpackResult write(InputStream blob, LayerWriter writer, Compression hint) throws IOException {
		try (DiffIdStream stream = DiffIdStream.open(blob, this.limits.maxUncompressedBytes())) {
			LayerTarInputStream tar = new LayerTarInputStream(stream);
			long entries = 0;
			String previous = null;
			TarArchiveEntry entry;
			while ((entry = next(tar, previous, stream.compression(), hint)) != null) {
				if (++entries > this.limits.maxEntries()) {
					throw new LayerUnpackException(entry.getName(), "the layer has more entries than the limit of "
							+ this.limits.maxEntries());
				}
				writer.write(entry, tar, tar.xattrs(), tar.times());
				previous = entry.getName();
			}
			stream.drain();
			writer.finish();
			return new UnpackResult(stream.diffId(), stream.size(), entries, stream.compression());
		}
	}

	private static TarArchiveEntry next(LayerTarInputStream tar, String previous, Compression found,
			Compression hint) throws IOException {
		try {
			return tar.getNextEntry();
		}
		catch (LayerUnpackException ex) {
			throw ex;
		}
		catch (IOException ex) {
			String where = (previous != null) ? "after entry \"" + previous + "\"" : "at its start";
			String declared = (hint != null && hint != found) ? " (declared " + hint + ", but the bytes say " + found
					+ ")" : "";
			throw LayerUnpackException.ofLayer("not a readable tar stream " + where + declared + ": " + ex.getMessage(),
					ex);
		}
	}

}
