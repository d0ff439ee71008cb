package dev.berth.engine.image;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import dev.berth.engine.content.BlobWriter;
import dev.berth.engine.content.ContentException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;

/**
 * An image archive read once, front to back, from a stream that cannot be rewound. Docker writes
 * {@code manifest.json} after the layers, so nothing can be decided while the tar streams in:
 * every regular file is staged in the content store's scratch space and hashed on the way. An
 * entry that is an uncompressed tar (a layer, in Docker's archives) is gzip-compressed as it
 * streams in, so a layer is read once, compressed once, and only renamed if it is kept.
 * <p>
 * Entry names are keys, never paths on the host: they are cleaned, and refused when absolute or
 * when {@code ..} climbs out. Links are kept as aliases and followed inside the archive only,
 * because {@code docker save} before Docker 25 writes a layer that sits at two depths once and
 * links the second place to it ({@code <id>/layer.tar -> ../<other id>/layer.tar}); a link that
 * leaves the archive, dangles or loops is an error. Closing discards whatever was not committed.
 */
final class StagedArchive implements AutoCloseable {

	private static final int MAX_LINK_HOPS = 40;

	private static final int SNIFF_BYTES = 512;

	private final ArchiveLimits limits;

	private final Map<String, Entry> files = new HashMap<>();

	private final Map<String, Link> links = new HashMap<>();

	private int entryCount;

	/** The entry being staged, for an error that cuts it short. */
	private String reading;

	private StagedArchive(ArchiveLimits limits) {
		this.limits = limits;
	}

	/** A staged regular file. */
	static final class Entry {

		final String name;

		/** The digest of the bytes as they are in the archive. */
		final Digest digest;

		final long size;

		/** How those bytes are compressed. */
		final LayerDiff.Compression compression;

		/** The staged bytes: as in the archive, or gzip-compressed here when {@link #gzippedHere}. */
		final BlobWriter blob;

		/** Set for an uncompressed tar, stored as gzip: {@link #digest} is then its diff ID. */
		final boolean gzippedHere;

		private Entry(String name, Digest digest, long size, LayerDiff.Compression compression, BlobWriter blob,
				boolean gzippedHere) {
			this.name = name;
			this.digest = digest;
			this.size = size;
			this.compression = compression;
			this.blob = blob;
			this.gzippedHere = gzippedHere;
		}

		/** The bytes as they were in the archive. */
		InputStream open() throws IOException {
			InputStream staged = this.blob.openStaged();
			return this.gzippedHere ? new GZIPInputStream(staged, 1 << 16) : staged;
		}

	}

	private record Link(String target, boolean symbolic) {
	}

	/**
	 * Reads a tar stream, plain or compressed as a whole (gzip or zstd, which {@code docker load}
	 * also accepts), to its end. Throws {@link InvalidImageException} for a malformed archive and
	 * {@link IOException} only when {@code source} itself fails.
	 */
	static StagedArchive read(InputStream source, ContentStore content, ArchiveLimits limits) throws IOException {
		StagedArchive archive = new StagedArchive(limits);
		WatchedInputStream watched = new WatchedInputStream(source);
		try {
			InputStream tarBytes = new WatchedInputStream(LayerDiff.decompressed(new BufferedInputStream(watched, 1 << 16)),
					limits.maxBytes(), () -> invalid("the archive is larger than the " + limits.maxBytes() + " bytes allowed"));
			TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes);
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				archive.add(entry, tar, content);
			}
			return archive;
		}
		catch (IOException ex) {
			archive.close();
			if (watched.failed()) {
				throw ex;
			}
			throw invalid(describe(ex, archive.reading));
		}
		catch (RuntimeException ex) {
			archive.close();
			throw ex;
		}
	}

	private static String describe(IOException ex, String reading) {
		String message = (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
		if (!message.toLowerCase(Locale.ROOT).contains("truncated") && !(ex instanceof EOFException)) {
			return message;
		}
		return (reading != null) ? "unexpected end of the archive in \"" + reading + "\""
				: "unexpected end of the archive (" + message + ")";
	}

	private void add(TarArchiveEntry entry, TarArchiveInputStream tar, ContentStore content) throws IOException {
		if (++this.entryCount > this.limits.maxEntries()) {
			throw invalid("more than " + this.limits.maxEntries() + " entries");
		}
		String name = clean(entry.getName());
		if (entry.isDirectory()) {
			return;
		}
		if (this.files.containsKey(name) || this.links.containsKey(name)) {
			throw invalid("entry \"" + name + "\" appears twice");
		}
		if (entry.isSymbolicLink()) {
			this.links.put(name, new Link(entry.getLinkName(), true));
			return;
		}
		if (entry.isLink()) {
			// a hard link names an earlier entry, from the archive's root
			this.links.put(name, new Link(clean(entry.getLinkName()), false));
			return;
		}
		if (!entry.isFile()) {
			throw invalid("entry \"" + name + "\" is neither a file, a directory nor a link");
		}
		this.reading = name;
		this.files.put(name, stage(name, tar, entry.getSize(), content));
		this.reading = null;
	}

	private static Entry stage(String name, InputStream data, long declaredSize, ContentStore content) throws IOException {
		byte[] head = data.readNBytes(SNIFF_BYTES);
		LayerDiff.Compression compression = LayerDiff.Compression.of(head);
		// SequenceInputStream closes each part it finishes: the tar stream must survive its entries
		InputStream rest = new FilterInputStream(data) {
			@Override
			public void close() {
			}
		};
		InputStream whole = new SequenceInputStream(new ByteArrayInputStream(head), rest);
		Entry entry;
		if (compression == LayerDiff.Compression.NONE && LayerDiff.looksLikeTar(head)) {
			LayerWriter.Staged layer = LayerWriter.stage(content, whole);
			entry = new Entry(name, layer.diffId(), layer.unpackedSize(), compression, layer.blob(), true);
		}
		else {
			BlobWriter blob = content.newWriter();
			try {
				whole.transferTo(blob);
				blob.finish();
			}
			catch (IOException | RuntimeException ex) {
				blob.discard();
				throw ex;
			}
			entry = new Entry(name, blob.digest(), blob.size(), compression, blob, false);
		}
		if (entry.size != declaredSize) {
			entry.blob.discard();
			throw invalid("unexpected end of the archive in \"" + name + "\"");
		}
		return entry;
	}

	/**
	 * The regular file at {@code path} (a name from manifest.json or an OCI descriptor), links
	 * followed; null when there is no such entry at all.
	 */
	Entry find(String path) {
		return this.files.get(resolve(path));
	}

	/** Like {@link #find}, but a missing file is an error. */
	Entry file(String path) {
		Entry entry = find(path);
		if (entry == null) {
			throw invalid("\"" + path + "\" is not in the archive");
		}
		return entry;
	}

	/** A small file read whole: a JSON document, bounded by {@code max}. */
	byte[] read(Entry entry, int max) {
		if (entry.size > max) {
			throw invalid("\"" + entry.name + "\" is " + entry.size + " bytes, more than the " + max + " allowed");
		}
		try (InputStream in = entry.open()) {
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new ContentException("cannot read staged \"" + entry.name + "\": " + ex.getMessage(), ex);
		}
	}

	int maxJsonBytes() {
		return this.limits.maxJsonBytes();
	}

	/** Discards every staged file that was not committed. */
	@Override
	public void close() {
		this.files.values().forEach((entry) -> entry.blob.discard());
	}

	private String resolve(String path) {
		Deque<String> pending = new ArrayDeque<>(List.of(clean(path).split("/")));
		List<String> resolved = new ArrayList<>();
		int hops = 0;
		while (!pending.isEmpty()) {
			String part = pending.removeFirst();
			if (part.isEmpty() || part.equals(".")) {
				continue;
			}
			if (part.equals("..")) {
				if (resolved.isEmpty()) {
					throw invalid("\"" + path + "\" leads outside the archive");
				}
				resolved.removeLast();
				continue;
			}
			resolved.add(part);
			Link link = this.links.get(String.join("/", resolved));
			if (link == null) {
				continue;
			}
			if (++hops > MAX_LINK_HOPS) {
				throw invalid("too many links to follow for \"" + path + "\"");
			}
			String name = String.join("/", resolved);
			resolved.removeLast();
			if (link.symbolic() && link.target().startsWith("/")) {
				throw invalid("\"" + name + "\" is a symbolic link to " + link.target() + ", outside the archive");
			}
			if (!link.symbolic()) {
				resolved.clear();
			}
			List<String> target = List.of(link.target().split("/"));
			for (int i = target.size() - 1; i >= 0; i--) {
				pending.addFirst(target.get(i));
			}
		}
		return String.join("/", resolved);
	}

	/**
	 * An entry name as a key: {@code ./a//b/} is {@code a/b}. Absolute names and names with a
	 * {@code ..} component are refused outright; no archive Docker writes has them, and whatever
	 * would extract such a name could write outside its directory.
	 */
	static String clean(String name) {
		if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
			throw invalid("an entry has an empty or malformed name");
		}
		if (name.startsWith("/")) {
			throw invalid("entry \"" + name + "\" has an absolute name");
		}
		List<String> parts = new ArrayList<>();
		for (String part : name.split("/")) {
			if (part.equals("..")) {
				throw invalid("entry \"" + name + "\" leads outside the archive");
			}
			if (!part.isEmpty() && !part.equals(".")) {
				parts.add(part);
			}
		}
		return String.join("/", parts);
	}

	static InvalidImageException invalid(String message) {
		return new InvalidImageException("invalid archive: " + message);
	}

}
