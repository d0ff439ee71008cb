package dev.berth.engine.registry;

/**
 * Sees a blob's bytes as they download, for work that would otherwise read the blob again
 * afterwards (a layer's diff ID). A tap sees a blob only when its download runs from the first
 * byte to the last in one go; a resumed download is not shown, and the tap's user computes what it
 * needs from the stored blob instead.
 */
@FunctionalInterface
public interface BlobTap {

	BlobTap NONE = (blob) -> null;

	/** A sink for this blob's bytes, or null for none. */
	Sink open(Descriptor blob);

	/** Receives one blob's bytes in order. */
	interface Sink {

		void write(byte[] buffer, int offset, int length);

		/** The blob is whole and verified. */
		void complete();

		/** The download broke or restarted: what was written is not the blob. */
		void abort();

	}

}
