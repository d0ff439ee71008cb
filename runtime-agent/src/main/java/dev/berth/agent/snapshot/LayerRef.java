package dev.berth.agent.snapshot;

/**
 * An image layer as a snapshot request names it.
 *
 * @param blobDigest the compressed blob's digest, to fetch it by
 * @param mediaType the blob's media type (a hint for its compression)
 * @param size the blob's size
 * @param diffId the digest of the uncompressed tar, checked while unpacking
 */
public record LayerRef(String blobDigest, String mediaType, long size, String diffId) {
}
