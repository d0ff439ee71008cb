package dev.berth.engine.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.MediaTypes;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code docker import} and {@code docker commit} share: the name the client asked for, the
 * new layer staged from the tar a client sent, and the image stored in one go once its config is
 * made (the layer blob committed, the config written, the record put, the tag moved). Until that
 * last step nothing is visible, so a failed import or commit leaves nothing behind.
 */
final class ImageWriter {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ImageStore images;

	private final ContentStore content;

	ImageWriter(ImageStore images, ContentStore content) {
		this.images = images;
		this.content = content;
	}

	/**
	 * dockerd's reading of {@code repo} and {@code tag} for an image made here: no repository, no
	 * name; no tag, {@code latest}; a digest refused, in dockerd's words (the same for a commit).
	 */
	static ImageReference reference(String repository, String tag) {
		if (repository == null || repository.isEmpty()) {
			return null;
		}
		ImageReference reference = ImageReference.parse(repository);
		if (reference.digest() != null) {
			throw new InvalidReferenceException("cannot import digest reference");
		}
		if (tag != null && !tag.isEmpty()) {
			reference = ImageReference.parse(reference.familiarName() + ":" + tag);
		}
		return reference;
	}

	/**
	 * Stages the layer tar {@code body} holds (plain, gzip or zstd), read to its end, checked to be
	 * a tar, and closed. A stream that breaks is an {@link IOException}; bytes that are no tar, or do not
	 * decompress, are the client's fault ({@link InvalidImageException}).
	 */
	LayerWriter.Staged stage(InputStream body) throws IOException {
		WatchedInputStream watched = new WatchedInputStream(body);
		try (InputStream tar = LayerDiff.decompressed(new BufferedInputStream(watched, 1 << 16))) {
			return LayerWriter.stageCheckingTar(this.content, tar);
		}
		catch (IOException ex) {
			if (watched.failed()) {
				throw ex;
			}
			throw new InvalidImageException("the layer cannot be decompressed: " + ex.getMessage());
		}
	}

	/**
	 * Stores an image: {@code config} gets its {@code rootfs} (the diff IDs of {@code below}, then
	 * of {@code added}), the added layer's blob is committed, the config written, and the record
	 * put and tagged. The caller still discards {@code added} afterwards, which is harmless once it
	 * is committed and frees it when something failed.
	 *
	 * @param below the layers the image shares with its parent, bottom first
	 * @param added the new layer, or null when the image adds none
	 * @param parent the image this one was made from, or null
	 * @param reference the name to tag, or null
	 */
	ImageRecord store(ObjectNode config, List<ImageRecord.Layer> below, LayerWriter.Staged added, Digest parent,
			Instant created, ImageReference reference) {
		List<ImageRecord.Layer> layers = new ArrayList<>(below);
		if (added != null) {
			layers.add(new ImageRecord.Layer(added.blob().digest(), MediaTypes.DOCKER_LAYER, added.blob().size(),
					added.diffId(), added.unpackedSize()));
		}
		ObjectNode rootfs = config.putObject("rootfs");
		rootfs.put("type", "layers");
		ArrayNode diffIds = rootfs.putArray("diff_ids");
		layers.forEach((layer) -> diffIds.add(layer.diffId().toString()));
		if (added != null) {
			added.blob().commit();
		}
		Digest id = this.content.put(JSON.writeValueAsBytes(config));
		ImageRecord record = new ImageRecord(id, null, MediaTypes.DOCKER_MANIFEST, layers, List.of(), parent, created,
				(reference != null) ? created : null);
		this.images.put(record);
		if (reference != null) {
			// a tag moved here leaves its old image dangling, as docker tag does
			this.images.tag(reference.toString(), id);
		}
		return record;
	}

}
