package dev.berth.engine.content;

/** A blob the store does not hold. */
public class BlobNotFoundException extends ContentException {

	public BlobNotFoundException(Digest digest) {
		super("blob " + digest + " not found in the content store");
	}

}
