package dev.berth.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import dev.berth.engine.registry.Platform;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code docker import}: a root filesystem tar, plain or compressed (gzip, zstd), made into an
 * image of one layer. The tar is read once: hashed for its diff ID, checked to be a tar, and
 * gzip-compressed into the content store on the way. The config is what dockerd writes: the
 * container config built from the changes, the platform, {@code created} now, and one history
 * entry whose comment is the message and which has no {@code created_by} (dockerd 20.10 leaves
 * it empty, so {@code docker history} shows an empty CREATED BY for imported images).
 */
final class ImageImport {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String DEFAULT_MESSAGE = "Imported from -";

	private final ImageWriter writer;

	private final Clock clock;

	ImageImport(ImageWriter writer, Clock clock) {
		this.writer = writer;
		this.clock = clock;
	}

	/** Imports the tar {@code source} holds, reading it to its end and closing it. */
	ImageRecord importImage(InputStream source, ImportOptions options) throws IOException {
		// everything the options can get wrong fails before a byte of the body is read
		ImageReference reference = ImageWriter.reference(options.repository(), options.tag());
		Platform platform = (options.platform() != null) ? options.platform() : Platform.host();
		if (!platform.os().equals("linux")) {
			throw new IllegalArgumentException("operating system is not supported: " + platform.os());
		}
		ObjectNode containerConfig = JSON.createObjectNode();
		ConfigChanges.apply(options.changes(), containerConfig);
		String message = (options.message() == null || options.message().isEmpty()) ? DEFAULT_MESSAGE : options.message();

		LayerWriter.Staged layer = this.writer.stage(source);
		try {
			Instant created = this.clock.instant();
			ObjectNode config = JSON.createObjectNode();
			config.put("architecture", platform.architecture());
			if (platform.variant() != null) {
				config.put("variant", platform.variant());
			}
			config.put("comment", message);
			config.set("config", containerConfig);
			config.put("created", created.toString());
			config.putArray("history").addObject().put("created", created.toString()).put("comment", message);
			config.put("os", platform.os());
			return this.writer.store(config, List.of(), layer, null, created, reference);
		}
		finally {
			layer.blob().discard();
		}
	}

}
