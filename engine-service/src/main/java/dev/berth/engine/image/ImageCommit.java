package dev.berth.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.registry.Platform;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code docker commit}: a container's writable layer made into an image on top of the image the
 * container runs. The config is the one dockerd's image store writes: the parent's platform and
 * history, the request's config with its changes applied and the container's filling the rest
 * ({@link CommitConfigMerge}), the container's ID and config as {@code container} and
 * {@code container_config} (which inspect shows only to clients older than API 1.45), the author,
 * and one new history step whose {@code created_by} is the container's command. A container that
 * changed nothing adds no layer: the step is marked {@code empty_layer}, as dockerd marks it.
 * The keys are written in the order dockerd writes them, sorted.
 */
final class ImageCommit {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ImageStore images;

	private final ContentStore content;

	private final ImageWriter writer;

	private final Clock clock;

	ImageCommit(ImageStore images, ContentStore content, ImageWriter writer, Clock clock) {
		this.images = images;
		this.content = content;
		this.writer = writer;
		this.clock = clock;
	}

	/** Commits the layer tar {@code layer} holds, reading it to its end and closing it. */
	ImageRecord commit(InputStream layer, CommitOptions options) throws IOException {
		// everything the options can get wrong fails before a byte of the layer is read
		ImageReference reference = ImageWriter.reference(options.repository(), options.tag());
		ImageRecord parent = null;
		JsonNode parentConfig = JSON.createObjectNode();
		if (options.parentImageId() != null) {
			parent = this.images.get(options.parentImageId());
			if (parent == null) {
				throw new ImageNotFoundException(options.parentImageId().toString());
			}
			parentConfig = ImageConfig.parse(this.content.read(parent.id(), ImageConfig.MAX_BYTES)).json();
		}
		ObjectNode config = ((options.config() != null) ? options.config() : options.containerConfig()).deepCopy();
		ConfigChanges.apply(options.changes(), config);
		CommitConfigMerge.merge(config, options.containerConfig());

		LayerWriter.Staged staged = this.writer.stage(layer);
		try {
			Instant created = this.clock.instant();
			ObjectNode image = imageConfig(parentConfig, config, options, created, staged.empty());
			return this.writer.store(image, (parent != null) ? parent.layers() : List.of(),
					staged.empty() ? null : staged, (parent != null) ? parent.id() : null, created, reference);
		}
		finally {
			staged.blob().discard();
		}
	}

	private static ObjectNode imageConfig(JsonNode parent, ObjectNode config, CommitOptions options, Instant created,
			boolean emptyLayer) {
		Platform host = Platform.host();
		ObjectNode image = JSON.createObjectNode();
		image.put("architecture", parent.path("architecture").asString(host.architecture()));
		putIfSet(image, "author", options.author());
		image.set("config", config);
		putIfSet(image, "container", options.containerId());
		image.set("container_config", options.containerConfig());
		image.put("created", created.toString());
		ArrayNode history = image.putArray("history");
		parent.path("history").values().forEach((step) -> history.add(step.deepCopy()));
		ObjectNode step = history.addObject();
		step.put("created", created.toString());
		putIfSet(step, "created_by", command(options.containerConfig()));
		putIfSet(step, "author", options.author());
		putIfSet(step, "comment", options.comment());
		if (emptyLayer) {
			step.put("empty_layer", true);
		}
		image.put("os", parent.path("os").asString("linux"));
		for (String inherited : List.of("os.features", "os.version", "variant")) {
			if (parent.hasNonNull(inherited)) {
				image.set(inherited, parent.get(inherited).deepCopy());
			}
		}
		return image;
	}

	/** The container's command, its words joined by spaces, as dockerd records it in the history. */
	private static String command(ObjectNode containerConfig) {
		return containerConfig.path("Cmd").valueStream().map((word) -> word.asString("")).collect(Collectors.joining(" "));
	}

	private static void putIfSet(ObjectNode node, String field, String value) {
		if (value != null && !value.isEmpty()) {
			node.put(field, value);
		}
	}

}
