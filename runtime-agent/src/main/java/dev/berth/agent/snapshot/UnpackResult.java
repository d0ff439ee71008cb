package dev.berth.agent.snapshot;

/**
 * What unpacking a layer found out about it.
 *
 * @param diffId {@code sha256:<hex>} of the whole uncompressed tar stream, end-of-archive blocks
 * and any trailing bytes included: the image config's {@code rootfs.diff_ids} entry for this layer
 * @param uncompressedSize the length of that stream in bytes
 * @param entryCount the tar entries read, whiteouts and ignored entries included
 * @param compression what the blob's first bytes said it is
 */
public record UnpackResult(String diffId, long uncompressedSize, long entryCount, Compression compression) {
}
