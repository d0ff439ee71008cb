package dev.berth.engine.image;

import java.util.List;

/**
 * One line of {@code docker history}, Docker's {@code HistoryResponseItem}.
 *
 * @param id the image this step made when it is known here, else {@code <missing>}
 * @param created when the step ran, in seconds since the epoch (0 when the config does not say)
 * @param createdBy the command of the step
 * @param tags the familiar tags of {@code id}; empty for {@code <missing>}
 * @param size the unpacked size of the layer the step made; 0 for a step that made none
 * @param comment the step's comment
 */
public record HistoryItem(String id, long created, String createdBy, List<String> tags, long size, String comment) {

	public static final String MISSING = "<missing>";

	public HistoryItem {
		tags = List.copyOf(tags);
	}

}
