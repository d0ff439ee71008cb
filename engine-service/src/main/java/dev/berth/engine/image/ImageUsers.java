package dev.berth.engine.image;

import java.util.List;

import dev.berth.engine.content.Digest;

/**
 * Which containers use an image. Containers belong to lifecycle-service, so whoever asks to
 * remove an image says who uses it.
 */
@FunctionalInterface
public interface ImageUsers {

	ImageUsers NONE = (id) -> List.of();

	List<User> usersOf(Digest imageId);

	/** A container using an image, and whether it runs (a running one can never lose its image). */
	record User(String containerId, boolean running) {
	}

}
