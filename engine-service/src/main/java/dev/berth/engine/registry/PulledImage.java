package dev.berth.engine.registry;

import dev.berth.engine.content.Digest;
import dev.berth.engine.image.ImageReference;

/**
 * What a pull committed to the content store: the digest the reference resolved to (an index's
 * or a manifest's, Docker's RepoDigest), the platform manifest chosen from it, and the config.
 *
 * @param reference the reference pulled
 * @param repositoryDigest the digest of the document the reference names, index or manifest
 * @param manifestDigest the digest of the image manifest for this platform
 * @param manifest the image manifest
 * @param config the image config bytes, verified against {@code manifest.config()}
 */
public record PulledImage(ImageReference reference, Digest repositoryDigest, Digest manifestDigest,
		Manifests.ImageManifest manifest, byte[] config) {
}
