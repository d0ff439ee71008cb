package dev.berth.engine.image;

import java.util.List;

import dev.berth.engine.registry.Platform;

/**
 * The options of {@code docker import} ({@code POST /images/create?fromSrc=-}).
 *
 * @param repository the repository to tag the image in, perhaps with a tag; null or empty leaves
 * the image untagged
 * @param tag the tag, when not given with the repository ({@code latest} when neither gives one)
 * @param changes Dockerfile instructions applied to the config: {@code CMD}, {@code ENV}…
 * @param message the image's comment and history comment; Docker's {@code Imported from -} when
 * empty
 * @param platform the platform the image is for; null for this engine's
 */
public record ImportOptions(String repository, String tag, List<String> changes, String message, Platform platform) {

	public ImportOptions {
		changes = (changes != null) ? List.copyOf(changes) : List.of();
	}

	/** An untagged image with nothing changed, for this engine's platform. */
	public static ImportOptions defaults() {
		return new ImportOptions(null, null, List.of(), null, null);
	}

}
