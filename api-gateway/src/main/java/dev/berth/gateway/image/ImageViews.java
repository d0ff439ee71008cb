package dev.berth.gateway.image;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.berth.contracts.engine.v1.DeleteItem;
import dev.berth.contracts.engine.v1.HistoryItem;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageDiskUsage;
import dev.berth.gateway.api.ApiVersion;

/**
 * Docker's JSON views of the engine's images. Whatever the engine keeps in the image config (labels, author, the
 * container config) is read from the config's own JSON, so nothing is lost between registry and client.
 */
@Component
public class ImageViews {

	// dockerd's answer when it does not compute a count that costs a walk over every container
	private static final long NOT_COMPUTED = -1;

	// VirtualSize left the API in 1.44
	private static final String WITHOUT_VIRTUAL_SIZE = "1.44";

	// Container and ContainerConfig left the API in 1.45
	private static final String WITHOUT_CONTAINER = "1.45";

	private final JsonMapper json;

	ImageViews(JsonMapper json) {
		this.json = json;
	}

	ImageSummary summary(Image image, String apiVersion) {
		return summary(image, NOT_COMPUTED, NOT_COMPUTED, apiVersion);
	}

	/** An image of {@code GET /system/df}: the summary, with the shared size and container count computed. */
	public ImageSummary diskUsage(ImageDiskUsage usage, String apiVersion) {
		return summary(usage.getImage(), usage.getSharedSize(), usage.getContainers(), apiVersion);
	}

	private ImageSummary summary(Image image, long sharedSize, long containers, String apiVersion) {
		JsonNode config = config(image);
		Map<String, String> labels = new LinkedHashMap<>();
		config.path("config").path("Labels").properties()
			.forEach((label) -> labels.put(label.getKey(), label.getValue().asString()));
		return new ImageSummary(image.getId(), image.getParent(), image.getRepoTagsList(), image.getRepoDigestsList(),
				image.getCreated(), image.getSize(), sharedSize, virtualSize(image, apiVersion), labels, containers);
	}

	ImageInspect inspect(Image image, String apiVersion) {
		JsonNode config = config(image);
		List<String> diffIds = image.getLayersList().stream().map((layer) -> layer.getDiffId()).toList();
		String lastTagTime = image.getLastTagTime().isEmpty() ? null : image.getLastTagTime();
		boolean withContainer = ApiVersion.isOlder(apiVersion, WITHOUT_CONTAINER);
		return new ImageInspect(image.getId(), image.getRepoTagsList(), image.getRepoDigestsList(), image.getParent(),
				comment(config), created(config, image), withContainer ? config.path("container").asString("") : null,
				withContainer ? containerConfig(config.path("container_config")) : null,
				config.path("docker_version").asString(""), config.path("author").asString(""),
				containerConfig(config.path("config")), config.path("architecture").asString(""),
				optional(config, "variant"), config.path("os").asString(""), optional(config, "os.version"),
				image.getSize(), virtualSize(image, apiVersion),
				// the layers are unpacked on the nodes, each its own overlayfs snapshot: no one directory to show
				new ImageInspect.GraphDriver("overlayfs", Map.of()), new ImageInspect.RootFs("layers", diffIds),
				new ImageInspect.Metadata(lastTagTime));
	}

	HistoryResponseItem history(HistoryItem item) {
		// dockerd sends null, not [], for a step without tags
		List<String> tags = item.getTagsList().isEmpty() ? null : item.getTagsList();
		return new HistoryResponseItem(item.getId(), item.getCreated(), item.getCreatedBy(), tags, item.getSize(),
				item.getComment());
	}

	ImageDeleteResponseItem deleted(DeleteItem item) {
		return switch (item.getItemCase()) {
			case UNTAGGED -> new ImageDeleteResponseItem(item.getUntagged(), null);
			case DELETED -> new ImageDeleteResponseItem(null, item.getDeleted());
			case ITEM_NOT_SET -> throw new IllegalStateException("the engine sent an empty delete item");
		};
	}

	private JsonNode config(Image image) {
		return this.json.readTree(image.getConfigJson().toByteArray());
	}

	/**
	 * The image's container config as dockerd shows it: every field of its container.Config present, with Go's zero
	 * values where the image config says nothing (an OCI config holds only what was set). Fields it does not know
	 * are kept.
	 */
	private JsonNode containerConfig(JsonNode own) {
		ObjectNode shown = this.json.createObjectNode();
		for (String field : List.of("Hostname", "Domainname", "User")) {
			shown.put(field, "");
		}
		for (String field : List.of("AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce")) {
			shown.put(field, false);
		}
		shown.putNull("Env");
		shown.putNull("Cmd");
		shown.put("Image", "");
		shown.putNull("Volumes");
		shown.put("WorkingDir", "");
		shown.putNull("Entrypoint");
		shown.putNull("OnBuild");
		shown.putNull("Labels");
		if (own instanceof ObjectNode set) {
			shown.setAll(set);
		}
		return shown;
	}

	/** The image's comment, or as dockerd falls back to it, its newest history step's (a commit's message). */
	private static String comment(JsonNode config) {
		String comment = config.path("comment").asString("");
		JsonNode history = config.path("history");
		if (comment.isEmpty() && !history.isEmpty()) {
			comment = history.get(history.size() - 1).path("comment").asString("");
		}
		return comment;
	}

	private static String created(JsonNode config, Image image) {
		String created = config.path("created").asString("");
		return created.isEmpty() ? Instant.ofEpochSecond(image.getCreated()).toString() : created;
	}

	private static String optional(JsonNode config, String field) {
		String value = config.path(field).asString("");
		return value.isEmpty() ? null : value;
	}

	private static Long virtualSize(Image image, String apiVersion) {
		return (ApiVersion.isOlder(apiVersion, WITHOUT_VIRTUAL_SIZE)) ? image.getSize() : null;
	}

}
