package dev.berth.agent.snapshot;

/**
 * How a layer blob is compressed. The blob's first bytes decide, not its media type: registries
 * and old clients label uncompressed layers as gzip and the other way round, and Docker and
 * containerd both trust the magic bytes.
 */
public enum Compression {

	NONE, GZIP, ZSTD;

	/** Enough of a blob's start to tell the formats apart. */
	static final int MAGIC_BYTES = 6;

	/**
	 * The compression {@code head} (up to {@link #MAGIC_BYTES} first bytes of the blob) starts with;
	 * {@link #NONE} for anything else, which the tar reader then has to accept.
	 */
	static Compression detect(byte[] head, int length) throws LayerUnpackException {
		if (startsWith(head, length, 0x1f, 0x8b)) {
			return GZIP;
		}
		if (startsWith(head, length, 0x28, 0xb5, 0x2f, 0xfd)) {
			return ZSTD;
		}
		// a zstd stream may open with a skippable frame (magic 0x184D2A50..5F, little-endian)
		if (length >= 4 && (head[0] & 0xf0) == 0x50 && startsWith(head, length, head[0] & 0xff, 0x2a, 0x4d, 0x18)) {
			return ZSTD;
		}
		// Docker still reads these legacy formats; OCI layers never use them, so neither do we
		if (startsWith(head, length, 'B', 'Z', 'h')) {
			throw LayerUnpackException.ofLayer("the blob is bzip2-compressed; only gzip, zstd and uncompressed "
					+ "tar layers are supported");
		}
		if (startsWith(head, length, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
			throw LayerUnpackException.ofLayer("the blob is xz-compressed; only gzip, zstd and uncompressed "
					+ "tar layers are supported");
		}
		return NONE;
	}

	private static boolean startsWith(byte[] head, int length, int... magic) {
		if (length < magic.length) {
			return false;
		}
		for (int i = 0; i < magic.length; i++) {
			if ((head[i] & 0xff) != magic[i]) {
				return false;
			}
		}
		return true;
	}

}
