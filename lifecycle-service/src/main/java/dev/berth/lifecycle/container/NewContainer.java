package dev.berth.lifecycle.container;

import tools.jackson.databind.node.ObjectNode;

/**
 * What {@link ContainerStore#create} needs: the request's three objects as the client sent them
 * and what the engine decided (the resolved image, the node).
 *
 * @param name Docker's {@code ?name=}, with or without the leading {@code /}; null or empty
 * generates one
 */
public record NewContainer(String name, String image, String imageId, String node, ObjectNode config,
		ObjectNode hostConfig, ObjectNode networkingConfig) {
}
