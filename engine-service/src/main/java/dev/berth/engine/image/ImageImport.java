package dev.berth.engine.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.MediaTypes;
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

	private final ImageStore images;

	private final ContentStore content;

	private final Clock clock;

	ImageImport(ImageStore images, ContentStore content, Clock clock) {
		this.images = images;
		this.content = content;
		this.clock = clock;
	}

	/** Imports the tar {@code source} holds, reading it to its end and closing it. */
	ImageRecord importImage(InputStream source, ImportOptions options) throws IOException {
		// everything the options can get wrong fails before a byte of the body is read
		ImageReference reference = reference(options);
		Platform platform = (options.platform() != null) ? options.platform() : Platform.host();
		if (!platform.os().equals("linux")) {
			throw new IllegalArgumentException("operating system is not supported: " + platform.os());
		}
		ObjectNode containerConfig = JSON.createObjectNode();
		ConfigChanges.apply(options.changes(), containerConfig);
		String message = (options.message() == null || options.message().isEmpty()) ? DEFAULT_MESSAGE : options.message();

		WatchedInputStream watched = new WatchedInputStream(source);
		LayerWriter.Staged layer;
		try (InputStream tar = LayerDiff.decompressed(new BufferedInputStream(watched, 1 << 16))) {
			layer = LayerWriter.stageCheckingTar(this.content, tar);
		}
		catch (IOException ex) {
			if (watched.failed()) {
				throw ex;
			}
			throw new InvalidImageException("the layer cannot be decompressed: " + ex.getMessage());
		}
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
			ObjectNode rootfs = config.putObject("rootfs");
			rootfs.put("type", "layers");
			rootfs.putArray("diff_ids").add(layer.diffId().toString());

			Digest blob = layer.blob().commit();
			Digest id = this.content.put(JSON.writeValueAsBytes(config));
			ImageRecord record = new ImageRecord(id, null, MediaTypes.DOCKER_MANIFEST,
					List.of(new ImageRecord.Layer(blob, MediaTypes.DOCKER_LAYER, layer.blob().size(), layer.diffId(),
							layer.unpackedSize())),
					List.of(), null, created, (reference != null) ? created : null);
			this.images.put(record);
			if (reference != null) {
				// a tag moved here leaves its old image dangling, as docker tag does
				this.images.tag(reference.toString(), id);
			}
			return record;
		}
		finally {
			layer.blob().discard();
		}
	}

	/** Docker's reading of {@code repo} and {@code tag}: no repository, no tag; no tag, latest. */
	private static ImageReference reference(ImportOptions options) {
		if (options.repository() == null || options.repository().isEmpty()) {
			return null;
		}
		ImageReference reference = ImageReference.parse(options.repository());
		if (reference.digest() != null) {
			throw new InvalidReferenceException("cannot import digest reference");
		}
		if (options.tag() != null && !options.tag().isEmpty()) {
			String name = reference.familiarName();
			reference = ImageReference.parse(name + ":" + options.tag());
		}
		return reference;
	}

}
