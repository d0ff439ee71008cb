package dev.berth.engine.image;

import java.util.List;

/**
 * What {@code docker load} did.
 *
 * @param images the images of the archive, in its order, as now recorded
 * @param messages Docker's output lines: {@code Loaded image: busybox:latest}, {@code Loaded image
 * ID: sha256:…} for an untagged image, and the notice that a tag moved from another image
 */
public record LoadResult(List<ImageRecord> images, List<String> messages) {

	public LoadResult {
		images = List.copyOf(images);
		messages = List.copyOf(messages);
	}

}
