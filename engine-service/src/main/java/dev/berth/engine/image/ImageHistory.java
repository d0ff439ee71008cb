package dev.berth.engine.image;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import tools.jackson.databind.JsonNode;

/**
 * {@code docker history}: the config's history, newest step first. Every step that made a layer
 * ({@code empty_layer} unset) takes the next layer in order and shows its unpacked size; the
 * others show 0. Only the newest step has an ID, the image's own, unless the image has a parent
 * recorded here (it was built or committed here): then the steps below take the IDs of the
 * parent, its parent, and so on. A pulled or loaded image has no parent, so all its older steps
 * are {@code <missing>}, which is what dockerd shows for them.
 */
final class ImageHistory {

	private final ImageStore images;

	private final Function<ImageRecord, ImageConfig> configs;

	private final Function<ImageRecord, List<String>> tags;

	ImageHistory(ImageStore images, Function<ImageRecord, ImageConfig> configs, Function<ImageRecord, List<String>> tags) {
		this.images = images;
		this.configs = configs;
		this.tags = tags;
	}

	List<HistoryItem> history(ImageRecord record) {
		List<JsonNode> steps = this.configs.apply(record).json().path("history").values().stream().toList();
		List<HistoryItem> history = new ArrayList<>();
		int layer = 0;
		for (JsonNode step : steps) {
			long size = 0;
			if (!step.path("empty_layer").asBoolean(false)) {
				if (layer >= record.layers().size()) {
					throw new InvalidImageException("too many non-empty layers in History section");
				}
				size = record.layers().get(layer++).unpackedSize();
			}
			history.addFirst(new HistoryItem(HistoryItem.MISSING, created(step), step.path("created_by").asString(""),
					List.of(), size, step.path("comment").asString("")));
		}
		ImageRecord image = record;
		for (int i = 0; i < history.size() && image != null; i++) {
			HistoryItem item = history.get(i);
			history.set(i, new HistoryItem(image.id().toString(), item.created(), item.createdBy(), this.tags.apply(image),
					item.size(), item.comment()));
			image = (image.parent() != null) ? this.images.get(image.parent()) : null;
		}
		return history;
	}

	private static long created(JsonNode step) {
		String text = step.path("created").asString("");
		if (text.isEmpty()) {
			return 0;
		}
		try {
			return Instant.parse(text).getEpochSecond();
		}
		catch (DateTimeParseException ex) {
			return 0;
		}
	}

}
