package dev.berth.engine.image;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.berth.engine.content.Digest;

/**
 * What the engine keeps about one image besides its blobs. The ID is the config's digest, as in
 * Docker: two pulls that yield the same config are the same image, whatever the manifests.
 *
 * @param id the config digest
 * @param manifestDigest the digest of this platform's image manifest, or null for an image made here
 * @param manifestMediaType the media type of the manifest the layers came from
 * @param layers the layers, bottom first
 * @param repoDigests {@code name@sha256:…} for every repository digest this image was pulled by
 * @param parent the image this one was built or committed from, or null
 * @param created when the image was made (from its config), or null when the config has none
 * @param lastTagTime when it was last tagged, or null
 */
public record ImageRecord(Digest id, Digest manifestDigest, String manifestMediaType, List<Layer> layers,
		List<String> repoDigests, Digest parent, Instant created, Instant lastTagTime) {

	public ImageRecord {
		layers = List.copyOf(layers);
		repoDigests = List.copyOf(repoDigests);
	}

	/** The image's unpacked size: what {@code docker images} shows as SIZE. */
	public long size() {
		return this.layers.stream().mapToLong(Layer::unpackedSize).sum();
	}

	/**
	 * The chain ID of each layer: the first layer's diff ID, then the digest of
	 * {@code "<previous chain ID> <diff ID>"}. A chain ID names a whole stack of layers, which is
	 * how unpacked snapshots are shared between images.
	 */
	public List<Digest> chainIds() {
		List<Digest> chain = new ArrayList<>();
		Digest previous = null;
		for (Layer layer : this.layers) {
			previous = (previous == null) ? layer.diffId()
					: Digest.of((previous + " " + layer.diffId()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
			chain.add(previous);
		}
		return chain;
	}

	/**
	 * The blobs this image holds in the content store: its config, its manifest, the documents
	 * its RepoDigests name (an index, or the manifest again) and its layers.
	 */
	public java.util.Set<Digest> blobs() {
		java.util.Set<Digest> blobs = new java.util.HashSet<>();
		blobs.add(this.id);
		if (this.manifestDigest != null) {
			blobs.add(this.manifestDigest);
		}
		this.repoDigests.forEach((d) -> blobs.add(Digest.parse(d.substring(d.indexOf('@') + 1))));
		this.layers.forEach((layer) -> blobs.add(layer.blob()));
		return blobs;
	}

	public ImageRecord withRepoDigest(String repoDigest) {
		if (this.repoDigests.contains(repoDigest)) {
			return this;
		}
		List<String> digests = new ArrayList<>(this.repoDigests);
		digests.add(repoDigest);
		return new ImageRecord(this.id, this.manifestDigest, this.manifestMediaType, this.layers, digests, this.parent, this.created,
				this.lastTagTime);
	}

	public ImageRecord withRepoDigests(List<String> digests) {
		return new ImageRecord(this.id, this.manifestDigest, this.manifestMediaType, this.layers, digests, this.parent, this.created,
				this.lastTagTime);
	}

	public ImageRecord withLastTagTime(Instant time) {
		return new ImageRecord(this.id, this.manifestDigest, this.manifestMediaType, this.layers, this.repoDigests, this.parent, this.created,
				time);
	}

	/**
	 * One layer: the blob as stored (compressed, as the registry has it) and the diff ID of its
	 * uncompressed tar, which is what the config and chain IDs name.
	 */
	public record Layer(Digest blob, String mediaType, long size, Digest diffId, long unpackedSize) {
	}

}
