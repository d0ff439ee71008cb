package dev.berth.gateway.lifecycle;

import java.util.List;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.berth.contracts.engine.v1.ImageUser;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ListRequest;

/**
 * Which containers use which images, for engine-service's rmi, prune and disk usage. Containers are
 * lifecycle-service's and images the engine's; the gateway, which talks to both, is where they meet. A paused or
 * restarting container counts as running, as dockerd counts it: its image cannot be deleted, even by force.
 */
@Component
public class ImageUsers {

	private static final Set<String> RUNNING_STATES = Set.of("running", "paused", "restarting");

	private final ContainerServiceGrpc.ContainerServiceBlockingStub containers;

	private final JsonMapper json;

	ImageUsers(ContainerServiceGrpc.ContainerServiceBlockingStub containers, JsonMapper json) {
		this.containers = containers;
		this.json = json;
	}

	/** Every container's image, stopped ones included, as lifecycle-service lists them now. */
	public List<ImageUser> current() {
		return of(this.containers.list(ListRequest.newBuilder().setAll(true).build())
			.getContainersJsonList()
			.stream()
			.map((summary) -> this.json.readTree(summary.toByteArray()))
			.toList());
	}

	/** The users in container summaries (Docker's ContainerSummary: Id, ImageID, State) read already. */
	public static List<ImageUser> of(List<JsonNode> summaries) {
		return summaries.stream()
			// a record without an image ID names no image the engine could keep for it
			.filter((summary) -> !summary.path("ImageID").asString("").isEmpty())
			.map((summary) -> ImageUser.newBuilder()
				.setContainerId(summary.path("Id").asString(""))
				.setImageId(summary.path("ImageID").asString(""))
				.setRunning(RUNNING_STATES.contains(summary.path("State").asString("")))
				.build())
			.toList();
	}

}
