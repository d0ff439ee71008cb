package dev.berth.engine.image;

import java.util.List;

import dev.berth.engine.content.Digest;
import tools.jackson.databind.node.ObjectNode;

/**
 * The options of {@code docker commit} ({@code POST /commit}), with what lifecycle-service knows
 * of the container.
 *
 * @param parentImageId the image the container runs, whose layers and history come first; null
 * for a container of no image
 * @param containerId the container's ID, kept in the config as dockerd keeps it
 * @param containerConfig the container's Config as it runs: kept as {@code container_config}, the
 * source of the history's {@code created_by}, and what {@code config} falls back to
 * @param config the request's Config, whose set fields override the container's; null for none
 * @param changes Dockerfile instructions applied to that config: {@code CMD}, {@code ENV}…
 * @param repository the repository to tag the image in, perhaps with a tag; null or empty leaves
 * it untagged
 * @param tag the tag, when not given with the repository ({@code latest} when neither gives one)
 * @param comment the history's comment (and the image's, as inspect shows it)
 * @param author the image's author
 */
public record CommitOptions(Digest parentImageId, String containerId, ObjectNode containerConfig, ObjectNode config,
		List<String> changes, String repository, String tag, String comment, String author) {

	public CommitOptions {
		if (containerConfig == null) {
			throw new IllegalArgumentException("a commit needs the container's config");
		}
		changes = (changes != null) ? List.copyOf(changes) : List.of();
	}

}
