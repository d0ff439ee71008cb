package dev.berth.engine.image;

/**
 * One line of {@code docker rmi}'s answer: a reference untagged or an image or layer deleted.
 *
 * @param layer whether {@code deleted} is a layer's chain ID: Docker shows it like an image's ID, and the nodes
 * free their unpacked copy of it
 */
public record ImageDeleteItem(String untagged, String deleted, boolean layer) {

	static ImageDeleteItem untagged(String reference) {
		return new ImageDeleteItem(reference, null, false);
	}

	static ImageDeleteItem deleted(String id) {
		return new ImageDeleteItem(null, id, false);
	}

	static ImageDeleteItem deletedLayer(String chainId) {
		return new ImageDeleteItem(null, chainId, true);
	}

}
