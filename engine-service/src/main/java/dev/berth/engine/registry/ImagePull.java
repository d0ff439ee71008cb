package dev.berth.engine.registry;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.berth.engine.content.ContentException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.content.Ingest;
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

	/** Configs are small JSON documents; anything this large is not one. */
	static final int MAX_CONFIG_BYTES = 8 << 20;

	/** Attempts per layer before the pull fails, as dockerd makes. */
	private static final int ATTEMPTS = 5;

	/** Progress of a running download is reported at most this often per layer. */
	private static final long PROGRESS_INTERVAL_NANOS = 100_000_000L;

	private final RegistrySession session;

	private final ContentStore store;

	private final ImageReference reference;

	private final Platform platform;

	private final int maxConcurrentDownloads;

	private final ProgressListener progress;

	private final BlobTap tap;

	ImagePull(RegistrySession session, ContentStore store, ImageReference reference, Platform platform,
			int maxConcurrentDownloads, ProgressListener progress, BlobTap tap) {
		this.session = session;
		this.store = store;
		this.reference = reference;
		this.platform = platform;
		this.maxConcurrentDownloads = maxConcurrentDownloads;
		this.progress = progress;
		this.tap = tap;
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
		if (config.size() > MAX_CONFIG_BYTES) {
			throw new RegistryException(RegistryException.Kind.INVALID,
					"image config " + config.digest() + " is " + config.size() + " bytes, more than " + MAX_CONFIG_BYTES);
		}
		fetch(config, ProgressListener.NONE, BlobTap.NONE);
		fetchLayers(manifest.layers());
		byte[] configBytes = this.store.read(config.digest(), MAX_CONFIG_BYTES);
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

	private void transfer(Descriptor blob, Ingest ingest, ProgressListener listener, BlobTap.Sink sink) {
		RegistrySession.BlobStream stream = this.session.blob(blob.digest(), ingest.offset());
		if (!stream.resumed() && ingest.offset() > 0) {
			ingest.restart();
		}
		String id = blob.digest().shortId();
		long lastReport = 0;
		byte[] buffer = new byte[1 << 17];
		try (InputStream in = stream.body()) {
			int n;
			while ((n = in.read(buffer)) >= 0) {
				ingest.write(buffer, 0, n);
				if (sink != null) {
					sink.write(buffer, 0, n);
				}
				long now = System.nanoTime();
				if (now - lastReport >= PROGRESS_INTERVAL_NANOS) {
					lastReport = now;
					listener.onProgress(new ProgressEvent(id, "Downloading", ingest.offset(), blob.size()));
				}
			}
		}
		catch (IOException ex) {
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE,
					"reading blob " + blob.digest() + " after " + ingest.offset() + " bytes: " + ex.getMessage(), ex);
		}
		listener.onProgress(new ProgressEvent(id, "Downloading", ingest.offset(), blob.size()));
	}

}
