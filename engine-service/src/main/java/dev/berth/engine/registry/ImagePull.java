package dev.berth.engine.registry;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.berth.engine.content.ContentException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.content.Ingest;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One {@code docker pull} from one endpoint: resolve the reference to a manifest (choosing this
 * platform's entry from an index), then fetch the config and every missing layer into the
 * content store, several layers at a time. A layer already in the store is not fetched again; a
 * transfer that breaks resumes from the bytes already written.
 */
final class ImagePull {

	private static final Log logger = LogFactory.getLog(ImagePull.class);

	/** Attempts per layer before the pull fails, as dockerd makes. */
	private static final int ATTEMPTS = 5;

	/** Bytes per chunk handed from the network reader to the writer. */
	private static final int CHUNK_BYTES = 64 * 1024;

	/** Chunks the network reader may be ahead of the writer: 2 MiB per layer at most. */
	private static final int READ_AHEAD_CHUNKS = 32;

	/** Progress of a running download is reported at most this often per layer. */
	private static final long PROGRESS_INTERVAL_NANOS = 100_000_000L;

	private final RegistrySession session;

	private final ContentStore store;

	private final ImageReference reference;

	private final Platform platform;

	private final int maxConcurrentDownloads;

	private final ProgressListener progress;

	private final BlobTap tap;

	private final java.time.Duration stallTimeout;

	ImagePull(RegistrySession session, ContentStore store, ImageReference reference, Platform platform,
			int maxConcurrentDownloads, ProgressListener progress, BlobTap tap, java.time.Duration stallTimeout) {
		this.session = session;
		this.store = store;
		this.reference = reference;
		this.platform = platform;
		this.maxConcurrentDownloads = maxConcurrentDownloads;
		this.progress = progress;
		this.tap = tap;
		this.stallTimeout = stallTimeout;
	}

	PulledImage run() {
		String name = (this.reference.digest() != null) ? this.reference.digest() : this.reference.tag();
		RegistrySession.FetchedManifest top = this.session.manifest(name);
		if (this.reference.digest() != null && !top.digest().toString().equals(this.reference.digest())) {
			throw new RegistryException(RegistryException.Kind.INVALID, "manifest verification failed for digest "
					+ this.reference.digest() + ": the registry sent " + top.digest());
		}
		Manifests.Document document = Manifests.parse(top.body(), top.contentType());
		this.store.put(top.body());
		RegistrySession.FetchedManifest chosen = top;
		if (document instanceof Manifests.Index index) {
			Descriptor entry = index.select(this.platform)
				.orElseThrow(() -> new RegistryException(RegistryException.Kind.NOT_FOUND,
						"no matching manifest for " + this.platform + " in the manifest list entries"));
			chosen = this.session.manifest(entry.digest().toString());
			if (!chosen.digest().equals(entry.digest()) || chosen.body().length != entry.size()) {
				throw new RegistryException(RegistryException.Kind.INVALID, "manifest verification failed for digest "
						+ entry.digest() + ": the registry sent " + chosen.digest());
			}
			document = Manifests.parse(chosen.body(), (entry.mediaType() != null) ? entry.mediaType() : chosen.contentType());
			if (!(document instanceof Manifests.ImageManifest)) {
				throw new RegistryException(RegistryException.Kind.INVALID,
						"manifest list entry " + entry.digest() + " is itself a list");
			}
			this.store.put(chosen.body());
		}
		Manifests.ImageManifest manifest = (Manifests.ImageManifest) document;
		this.progress.onProgress(ProgressEvent.status(name, "Pulling from " + this.reference.repository()));
		Descriptor config = manifest.config();
		if (config.size() > ImageConfig.MAX_BYTES) {
			throw new RegistryException(RegistryException.Kind.INVALID,
					"image config " + config.digest() + " is " + config.size() + " bytes, more than " + ImageConfig.MAX_BYTES);
		}
		fetch(config, ProgressListener.NONE, BlobTap.NONE);
		fetchLayers(manifest.layers());
		byte[] configBytes = this.store.read(config.digest(), ImageConfig.MAX_BYTES);
		return new PulledImage(this.reference, top.digest(), chosen.digest(), manifest, configBytes);
	}

	private void fetchLayers(List<Descriptor> layers) {
		// a layer listed twice is fetched once
		Map<Digest, Descriptor> missing = new LinkedHashMap<>();
		for (Descriptor layer : layers) {
			if (this.store.has(layer.digest())) {
				this.progress.onProgress(ProgressEvent.status(layer.digest().shortId(), "Already exists"));
			}
			else if (missing.putIfAbsent(layer.digest(), layer) == null) {
				this.progress.onProgress(ProgressEvent.status(layer.digest().shortId(), "Pulling fs layer"));
			}
		}
		if (missing.isEmpty()) {
			return;
		}
		LayerTransfers.run(missing.values(), this.maxConcurrentDownloads, this.progress, (layer) -> {
			fetch(layer, this.progress, this.tap);
			this.progress.onProgress(ProgressEvent.status(layer.digest().shortId(), "Download complete"));
		});
	}

	/** Fetches one blob into the store, resuming after broken transfers, verified on commit. */
	private void fetch(Descriptor blob, ProgressListener listener, BlobTap tap) {
		RegistryException lastFailure = null;
		for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
			try (Ingest ingest = this.store.ingest(blob.digest(), blob.size())) {
				if (ingest.isComplete()) {
					return;
				}
				BlobTap.Sink sink = (ingest.offset() == 0) ? tap.open(blob) : null;
				try {
					if (ingest.offset() < blob.size()) {
						transfer(blob, ingest, listener, sink);
					}
					if (blob.size() > 0 && listener != ProgressListener.NONE) {
						listener.onProgress(ProgressEvent.status(blob.digest().shortId(), "Verifying Checksum"));
					}
					ingest.commit();
				}
				catch (RuntimeException ex) {
					if (sink != null) {
						sink.abort();
					}
					throw ex;
				}
				if (sink != null) {
					sink.complete();
				}
				return;
			}
			catch (RegistryException ex) {
				if (ex.kind() != RegistryException.Kind.UNAVAILABLE) {
					throw ex;
				}
				lastFailure = ex;
				logger.info("Download of " + blob.digest() + " broke (attempt " + attempt + " of " + ATTEMPTS + "): "
						+ ex.getMessage());
			}
			catch (ContentException ex) {
				throw new RegistryException(RegistryException.Kind.INVALID,
						"filesystem layer verification failed for digest " + blob.digest() + ": " + ex.getMessage(), ex);
			}
		}
		throw lastFailure;
	}

	/**
	 * Streams the blob into the ingest. The network is read on a thread of its own, so that
	 * hashing and writing one chunk overlaps receiving the next: on a fast registry the download
	 * then costs the slower of the two, not their sum.
	 */
	private void transfer(Descriptor blob, Ingest ingest, ProgressListener listener, BlobTap.Sink sink) {
		RegistrySession.BlobStream stream = this.session.blob(blob.digest(), ingest.offset());
		if (!stream.resumed() && ingest.offset() > 0) {
			ingest.restart();
		}
		String id = blob.digest().shortId();
		long lastReport = 0;
		BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(READ_AHEAD_CHUNKS);
		try (InputStream in = stream.body()) {
			Thread receiver = Thread.ofVirtual().name("receive-" + id).start(() -> receive(in, chunks));
			try {
				Chunk chunk;
				while ((chunk = takeChunk(chunks, this.stallTimeout)).length() > 0) {
					ingest.write(chunk.data(), 0, chunk.length());
					if (sink != null) {
						sink.write(chunk.data(), 0, chunk.length());
					}
					long now = System.nanoTime();
					if (now - lastReport >= PROGRESS_INTERVAL_NANOS) {
						lastReport = now;
						listener.onProgress(new ProgressEvent(id, "Downloading", ingest.offset(), blob.size()));
					}
				}
				if (chunk.failure() != null) {
					throw chunk.failure();
				}
			}
			finally {
				// a failed write stops the receiver: closing the body ends its read
				RegistrySession.closeQuietly(in);
				receiver.interrupt();
			}
		}
		catch (IOException ex) {
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE,
					"reading blob " + blob.digest() + " after " + ingest.offset() + " bytes: " + ex.getMessage(), ex);
		}
		listener.onProgress(new ProgressEvent(id, "Downloading", ingest.offset(), blob.size()));
	}

	/** Reads the body into chunks until its end or a failure, which ends the queue either way. */
	private static void receive(InputStream in, BlockingQueue<Chunk> chunks) {
		try {
			while (true) {
				byte[] buffer = new byte[CHUNK_BYTES];
				// what has arrived, not a full buffer: bytes before a stall must reach the ingest
				int n = in.read(buffer);
				if (n < 0) {
					chunks.put(Chunk.END);
					return;
				}
				if (n > 0) {
					chunks.put(new Chunk(buffer, n, null));
				}
			}
		}
		catch (IOException ex) {
			chunks.offer(new Chunk(null, 0, ex));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** The next chunk; a body that sends nothing for {@code stallTimeout} has failed, and is retried. */
	private static Chunk takeChunk(BlockingQueue<Chunk> chunks, java.time.Duration stallTimeout) throws IOException {
		try {
			Chunk chunk = chunks.poll(stallTimeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
			if (chunk == null) {
				throw new IOException("no data for " + stallTimeout.toSeconds() + " s");
			}
			return chunk;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new java.io.InterruptedIOException("download interrupted");
		}
	}

	/** Bytes received, or the end of the body (no bytes), with the failure that ended it if any. */
	private record Chunk(byte[] data, int length, IOException failure) {

		static final Chunk END = new Chunk(null, 0, null);

	}

}
