package dev.berth.engine.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * Content-addressed blobs under {@code <root>/blobs/sha256/<hex>}, the only place image bytes
 * live. A blob appears there only after its size and digest were checked, and it appears whole:
 * data is written under {@code <root>/ingest/<hex>}, flushed, then renamed into place. An
 * interrupted download leaves its verified prefix in {@code ingest/}, from which the next
 * {@link #ingest} resumes. Blobs whose digest is known only once written (compressed here,
 * loaded from an archive) are staged under {@code <root>/tmp/} by a {@link BlobWriter}; what an
 * earlier run left there is deleted when the store opens, since nothing can resume it.
 */
public final class ContentStore {

	private final Path blobs;

	private final Path ingests;

	private final Path scratch;

	/**
	 * One writer per digest: a second pull of the same layer waits, then finds it committed. An
	 * entry lives only while someone writes or waits, so the map does not grow with the store.
	 */
	private final ConcurrentMap<Digest, Turn> writers = new ConcurrentHashMap<>();

	/** The right to write one blob, and how many hold or wait for it. */
	private record Turn(Semaphore semaphore, int users) {
	}

	public ContentStore(Path root) {
		this.blobs = root.resolve("blobs").resolve("sha256");
		this.ingests = root.resolve("ingest");
		this.scratch = root.resolve("tmp");
		try {
			Files.createDirectories(this.blobs);
			Files.createDirectories(this.ingests);
			Files.createDirectories(this.scratch);
			try (Stream<Path> leftovers = Files.list(this.scratch)) {
				for (Path leftover : leftovers.toList()) {
					Files.deleteIfExists(leftover);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create the content store under " + root, ex);
		}
	}

	public boolean has(Digest digest) {
		return Files.isRegularFile(blobPath(digest));
	}

	public long size(Digest digest) {
		try {
			return Files.size(blobPath(digest));
		}
		catch (NoSuchFileException ex) {
			throw new BlobNotFoundException(digest);
		}
		catch (IOException ex) {
			throw new ContentException("cannot read blob " + digest + ": " + ex.getMessage(), ex);
		}
	}

	/** The committed file of a blob; read-only by contract (it is what the digest names). */
	public Path blobPath(Digest digest) {
		return this.blobs.resolve(digest.hex());
	}

	public InputStream open(Digest digest) {
		return open(digest, 0);
	}

	/** Opens a blob from {@code offset}, for resumed transfers to agents and registries. */
	public InputStream open(Digest digest, long offset) {
		try {
			FileChannel channel = FileChannel.open(blobPath(digest), StandardOpenOption.READ);
			channel.position(offset);
			return Channels.newInputStream(channel);
		}
		catch (NoSuchFileException ex) {
			throw new BlobNotFoundException(digest);
		}
		catch (IOException ex) {
			throw new ContentException("cannot open blob " + digest + ": " + ex.getMessage(), ex);
		}
	}

	/** Reads a small blob (manifest, config) whole, refusing one larger than {@code maxBytes}. */
	public byte[] read(Digest digest, long maxBytes) {
		long size = size(digest);
		if (size > maxBytes) {
			throw new ContentException("blob " + digest + " is " + size + " bytes, more than the " + maxBytes + " allowed");
		}
		try (InputStream in = open(digest)) {
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new ContentException("cannot read blob " + digest + ": " + ex.getMessage(), ex);
		}
	}

	/** Stores bytes made here (a config, a manifest) under their own digest. */
	public Digest put(byte[] content) {
		Digest digest = Digest.of(content);
		if (!has(digest)) {
			try (Ingest ingest = ingest(digest, content.length)) {
				if (!ingest.isComplete()) {
					ingest.restart();
					ingest.write(content, 0, content.length);
					ingest.commit();
				}
			}
		}
		return digest;
	}

	/**
	 * Opens the ingest for a blob whose digest and size are known in advance, waiting while
	 * another thread writes the same blob. Data kept from an interrupted attempt is re-hashed, and
	 * {@link Ingest#offset()} tells where to resume. When the blob is already committed the ingest
	 * is {@linkplain Ingest#isComplete() complete} and nothing needs writing.
	 */
	public Ingest ingest(Digest expected, long expectedSize) {
		if (expectedSize < 0) {
			throw new ContentException("blob " + expected + " has a negative size " + expectedSize);
		}
		Turn turn = this.writers.compute(expected,
				(digest, current) -> (current == null) ? new Turn(new Semaphore(1), 1)
						: new Turn(current.semaphore(), current.users() + 1));
		turn.semaphore().acquireUninterruptibly();
		Runnable release = () -> this.writers.computeIfPresent(expected, (digest, current) -> {
			current.semaphore().release();
			return (current.users() == 1) ? null : new Turn(current.semaphore(), current.users() - 1);
		});
		try {
			return new Ingest(this, expected, expectedSize, this.ingests.resolve(expected.hex()), release);
		}
		catch (RuntimeException ex) {
			release.run();
			throw ex;
		}
	}

	/** Starts a blob whose digest will be known when it is written; see {@link BlobWriter}. */
	public BlobWriter newWriter() {
		return new BlobWriter(this, this.scratch.resolve(UUID.randomUUID().toString()));
	}

	/** Moves a verified ingest file into place: the rename is the commit point. */
	void commit(Path data, Digest digest) throws IOException {
		Path target = blobPath(digest);
		try {
			Files.move(data, target, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (FileAlreadyExistsException ex) {
			Files.delete(data);
		}
		// the rename is durable only once the directory entry is on disk
		try (FileChannel dir = FileChannel.open(this.blobs, StandardOpenOption.READ)) {
			dir.force(true);
		}
	}

	public boolean delete(Digest digest) {
		try {
			return Files.deleteIfExists(blobPath(digest));
		}
		catch (IOException ex) {
			throw new ContentException("cannot delete blob " + digest + ": " + ex.getMessage(), ex);
		}
	}

	/** Every committed blob, for garbage collection and disk usage. */
	public List<Digest> list() {
		try (Stream<Path> files = Files.list(this.blobs)) {
			List<Digest> digests = new ArrayList<>();
			files.forEach((file) -> {
				try {
					digests.add(new Digest(file.getFileName().toString()));
				}
				catch (IllegalArgumentException ignored) {
					// not a blob (an editor's backup, say): the store never serves it
				}
			});
			return digests;
		}
		catch (IOException ex) {
			throw new ContentException("cannot list the content store: " + ex.getMessage(), ex);
		}
	}

}
