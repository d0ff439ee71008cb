package dev.berth.engine.image;

/**
 * What an image archive given to {@code docker load} may hold. The archive comes from a client
 * and is staged on disk before it is checked, so each bound stops a different abuse: a stream
 * that never ends, a tar of a million empty files, a JSON document meant to exhaust memory.
 *
 * @param maxBytes the most bytes the archive may have, counted uncompressed
 * @param maxEntries the most tar entries it may have; Docker's archives have a few per image
 * @param maxJsonBytes the largest JSON document read from it (manifest.json, index.json,
 * manifests and configs), read whole into memory
 */
public record ArchiveLimits(long maxBytes, int maxEntries, int maxJsonBytes) {

	/** 64 GiB, 100 000 entries, 8 MiB of JSON (image configs with long histories run to a few MiB). */
	public static final ArchiveLimits DEFAULT = new ArchiveLimits(64L << 30, 100_000, 8 << 20);

}
