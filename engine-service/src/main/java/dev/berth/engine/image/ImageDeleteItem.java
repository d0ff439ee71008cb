package dev.berth.engine.image;

/** One line of {@code docker rmi}'s answer: a reference untagged or an image or layer deleted. */
public record ImageDeleteItem(String untagged, String deleted) {

	static ImageDeleteItem untagged(String reference) {
		return new ImageDeleteItem(reference, null);
	}

	static ImageDeleteItem deleted(String id) {
		return new ImageDeleteItem(null, id);
	}

}
