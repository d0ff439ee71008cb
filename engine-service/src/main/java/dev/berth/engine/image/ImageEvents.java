package dev.berth.engine.image;

import java.util.Map;

/**
 * Where the engine reports what it did to images, for {@code docker events}: dockerd's actions ({@code pull},
 * {@code push}, {@code tag}, {@code untag}, {@code delete}, {@code import}, {@code load}, {@code save},
 * {@code prune}, {@code create} for a commit) with its actor IDs and attributes. The engine reports them itself
 * because only it knows each untag and delete an rmi or prune makes, and the image each one concerns.
 */
@FunctionalInterface
public interface ImageEvents {

	/** For an engine that reports to nobody (tests, tools). */
	ImageEvents NONE = (action, actorId, attributes) -> {
	};

	/**
	 * Reports one action once it is done; the engine's operation goes on whether or not the report arrives.
	 *
	 * @param actorId the image ID, or for pull and push the reference as Docker shows it
	 * @param attributes the image's labels while it exists, and {@code name}
	 */
	void published(String action, String actorId, Map<String, String> attributes);

}
