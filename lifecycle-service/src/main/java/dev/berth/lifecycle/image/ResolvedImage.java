package dev.berth.lifecycle.image;

import java.util.List;

import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.SnapshotLayer;

/**
 * An image as a container needs it.
 *
 * @param id {@code sha256:<hex>} of its config
 * @param config the image config document (its {@code config} object holds Env, Cmd, …)
 * @param layers bottom first, as the node's snapshotter takes them
 */
public record ResolvedImage(String id, ObjectNode config, List<SnapshotLayer> layers) {
}
