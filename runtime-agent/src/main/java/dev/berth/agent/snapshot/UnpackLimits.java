package dev.berth.agent.snapshot;

/**
 * Caps on what one layer may make the node write. A gzip or zstd stream of a few kilobytes can
 * expand to terabytes of zeros or to millions of empty files, and the registry's size for the
 * blob says nothing about either; without caps such a layer fills the disk or the inode table of
 * every node that pulls it.
 *
 * <p>The defaults sit well above real images: the largest public layers (CUDA and ML framework
 * images) unpack to 10–20 GiB and hold a few hundred thousand files; 64 GiB and five million
 * entries leave room for three times that, while a bomb is stopped long before a node's disk is.
 *
 * @param maxUncompressedBytes the most bytes of uncompressed tar stream, and the most bytes of
 * file content written (a sparse entry can expand beyond its share of the stream)
 * @param maxEntries the most tar entries, whiteouts and directories included
 */
public record UnpackLimits(long maxUncompressedBytes, long maxEntries) {

	public static final UnpackLimits DEFAULTS = new UnpackLimits(64L * 1024 * 1024 * 1024, 5_000_000);

	public UnpackLimits {
		if (maxUncompressedBytes <= 0 || maxEntries <= 0) {
			throw new IllegalArgumentException("unpack limits must be positive, got " + maxUncompressedBytes
					+ " bytes and " + maxEntries + " entries");
		}
	}

}
