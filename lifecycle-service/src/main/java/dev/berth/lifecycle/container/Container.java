package dev.berth.lifecycle.container;

import java.time.Instant;
import java.util.Map;

import tools.jackson.databind.node.ObjectNode;

/**
 * One stored container. The three JSON objects are kept exactly as the client sent them, so an
 * inspect can return fields this engine does not understand yet; {@link #config()},
 * {@link #hostConfig()} and {@link #networkingConfig()} are typed views of them.
 *
 * @param name without Docker's leading {@code /}
 * @param image the reference as the client gave it
 * @param imageId what it resolved to, {@code sha256:<hex>}
 */
public record Container(String id, String name, String image, String imageId, String node, Instant created,
		ObjectNode configJson, ObjectNode hostConfigJson, ObjectNode networkingConfigJson, Map<String, String> labels,
		boolean autoRemove, ContainerState state) {

	public ContainerConfig config() {
		return DockerJson.view(this.configJson, ContainerConfig.class);
	}

	public HostConfig hostConfig() {
		return DockerJson.view(this.hostConfigJson, HostConfig.class);
	}

	public NetworkingConfig networkingConfig() {
		return DockerJson.view(this.networkingConfigJson, NetworkingConfig.class);
	}

}
