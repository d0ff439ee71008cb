package dev.berth.engine.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import dev.berth.engine.content.ContentException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.MediaTypes;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code docker save}: a tar in the format Docker 25 and later write, which is at once an OCI
 * image layout and Docker's own archive:
 *
 * <pre>
 * oci-layout                  {"imageLayoutVersion":"1.0.0"}
 * index.json                  one entry per tag (named by containerd's and OCI's annotations)
 * manifest.json               [{"Config":"blobs/sha256/…","RepoTags":[…],"Layers":["blobs/sha256/…"]}]
 * repositories                {"busybox":{"latest":"<top layer>"}}
 * blobs/sha256/&lt;hex&gt;          OCI manifests, configs, and every layer as an uncompressed tar
 * </pre>
 *
 * {@code docker load} of every version since 1.10 reads manifest.json and follows its paths, so
 * this loads into dockerd 20.10 as into Docker 28; skopeo and podman read it as an OCI layout.
 * Docker 20.10 itself still wrote one directory per layer ({@code <id>/VERSION, json,
 * layer.tar}); Docker 25 dropped those for {@code blobs/} and nothing reads them any more, so
 * neither does this: a layer appears once, under its diff ID, however many images share it.
 * <p>
 * The metadata comes first (its content is known from the records), then the blobs; the archive
 * is streamed, one 64 KiB buffer at a time. Every layer is checked while it is written: a stored
 * blob that no longer unpacks to its diff ID fails the save rather than exporting damage.
 */
final class ImageSave {

	private static final JsonMapper JSON = JsonMapper.builder().build();


	private static final String IMAGE_NAME_ANNOTATION = "io.containerd.image.name";

	private static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

	private final ImageStore images;

	private final ContentStore content;

	private final Function<String, ImageRecord> resolve;

	ImageSave(ImageStore images, ContentStore content, Function<String, ImageRecord> resolve) {
		this.images = images;
		this.content = content;
		this.resolve = resolve;
	}

	/** What a save writes, resolved before the first byte so that a wrong name fails cleanly. */
	record Plan(List<Item> items) {

		Plan {
			items = List.copyOf(items);
		}

	}

	/** One image and the tags it is saved with. */
	record Item(ImageRecord record, List<ImageReference> tags) {

		Item {
			tags = List.copyOf(tags);
		}

	}

	/**
	 * Resolves names as Docker does: {@code busybox:1} is that tag, a bare {@code busybox} every
	 * tag of the repository, a digest reference, ID or ID prefix the image without a tag.
	 */
	Plan plan(List<String> names) {
		if (names.isEmpty()) {
			throw new IllegalArgumentException("no image to save: give at least one name or ID");
		}
		Map<Digest, Set<ImageReference>> tags = new LinkedHashMap<>();
		Map<Digest, ImageRecord> records = new LinkedHashMap<>();
		for (String name : names) {
			for (Found found : lookUp(name)) {
				records.putIfAbsent(found.record().id(), found.record());
				Set<ImageReference> own = tags.computeIfAbsent(found.record().id(), (id) -> new LinkedHashSet<>());
				if (found.tag() != null) {
					own.add(found.tag());
				}
			}
		}
		List<Item> items = new ArrayList<>();
		records.forEach((id, record) -> {
			if (record.layers().isEmpty()) {
				throw new InvalidImageException("empty export - not implemented");
			}
			items.add(new Item(record, List.copyOf(tags.get(id))));
		});
		return new Plan(items);
	}

	/** An image a name stands for, with the tag it was named by (null for none). */
	private record Found(ImageRecord record, ImageReference tag) {
	}

	private List<Found> lookUp(String name) {
		ImageReference reference = null;
		if (!name.startsWith("sha256:")) {
			try {
				reference = ImageReference.parse(name);
			}
			catch (InvalidReferenceException ex) {
				// not a name: perhaps an ID prefix, which resolve tells
			}
		}
		if (reference != null && reference.digest() == null) {
			if (hasTag(name)) {
				Digest id = this.images.tagged(reference.toString());
				if (id != null) {
					return List.of(new Found(this.images.get(id), reference));
				}
			}
			else {
				String repository = reference.name();
				List<Found> found = new ArrayList<>();
				this.images.allTags().forEach((tag, id) -> {
					ImageReference tagged = ImageReference.parse(tag);
					if (tagged.name().equals(repository)) {
						found.add(new Found(this.images.get(id), tagged));
					}
				});
				if (!found.isEmpty()) {
					return found;
				}
			}
		}
		return List.of(new Found(this.resolve.apply(name), null));
	}

	private static boolean hasTag(String name) {
		int colon = name.lastIndexOf(':');
		return colon > name.lastIndexOf('/');
	}

	/** Writes the archive; the stream is left open. */
	void write(Plan plan, OutputStream out) throws IOException {
		List<SavedImage> saved = new ArrayList<>();
		for (Item item : plan.items()) {
			saved.add(prepare(item));
		}
		Set<Digest> ids = new HashSet<>();
		plan.items().forEach((item) -> ids.add(item.record().id()));
		TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
		tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
		tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
		writeFile(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8), Instant.EPOCH);
		writeFile(tar, "index.json", JSON.writeValueAsBytes(index(saved)), Instant.EPOCH);
		writeFile(tar, "manifest.json", lines(JSON.writeValueAsBytes(dockerManifest(saved, ids))), Instant.EPOCH);
		ObjectNode repositories = repositories(saved);
		if (!repositories.isEmpty()) {
			writeFile(tar, "repositories", lines(JSON.writeValueAsBytes(repositories)), Instant.EPOCH);
		}
		writeDirectory(tar, "blobs/");
		writeDirectory(tar, "blobs/sha256/");
		Set<Digest> written = new HashSet<>();
		for (SavedImage image : saved) {
			if (written.add(image.manifestDigest())) {
				writeFile(tar, blobPath(image.manifestDigest()), image.manifest(), Instant.EPOCH);
			}
			if (written.add(image.item().record().id())) {
				writeFile(tar, blobPath(image.item().record().id()), image.config(), image.created());
			}
		}
		for (SavedImage image : saved) {
			for (ImageRecord.Layer layer : image.item().record().layers()) {
				if (written.add(layer.diffId())) {
					writeLayer(tar, layer, image.created());
				}
			}
		}
		tar.finish();
		tar.flush();
	}

	/** An image with the documents written for it. */
	private record SavedImage(Item item, byte[] config, ImageConfig parsedConfig, byte[] manifest, Digest manifestDigest,
			Instant created) {
	}

	private SavedImage prepare(Item item) {
		ImageRecord record = item.record();
		byte[] config = this.content.read(record.id(), ImageConfig.MAX_BYTES);
		ObjectNode manifest = JSON.createObjectNode();
		manifest.put("schemaVersion", 2);
		manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
		descriptor(manifest.putObject("config"), MediaTypes.OCI_CONFIG, record.id(), config.length);
		ArrayNode layers = manifest.putArray("layers");
		// the layers travel uncompressed, so the manifest names them by their diff IDs
		record.layers().forEach((layer) -> descriptor(layers.addObject(), MediaTypes.OCI_LAYER, layer.diffId(),
				layer.unpackedSize()));
		byte[] bytes = JSON.writeValueAsBytes(manifest);
		Instant created = (record.created() != null) ? record.created() : Instant.EPOCH;
		return new SavedImage(item, config, ImageConfig.parse(config), bytes, Digest.of(bytes), created);
	}

	private static ObjectNode index(List<SavedImage> saved) {
		ObjectNode index = JSON.createObjectNode();
		index.put("schemaVersion", 2);
		index.put("mediaType", MediaTypes.OCI_INDEX);
		ArrayNode manifests = index.putArray("manifests");
		for (SavedImage image : saved) {
			if (image.item().tags().isEmpty()) {
				indexEntry(manifests, image);
			}
			for (ImageReference tag : image.item().tags()) {
				ObjectNode annotations = indexEntry(manifests, image).putObject("annotations");
				annotations.put(IMAGE_NAME_ANNOTATION, tag.toString());
				annotations.put(REF_NAME_ANNOTATION, tag.tag());
			}
		}
		return index;
	}

	private static ObjectNode indexEntry(ArrayNode manifests, SavedImage image) {
		ObjectNode entry = manifests.addObject();
		descriptor(entry, MediaTypes.OCI_MANIFEST, image.manifestDigest(), image.manifest().length);
		ImageConfig config = image.parsedConfig();
		if (!config.architecture().isEmpty() && !config.os().isEmpty()) {
			ObjectNode platform = entry.putObject("platform");
			platform.put("architecture", config.architecture());
			platform.put("os", config.os());
			if (config.variant() != null) {
				platform.put("variant", config.variant());
			}
		}
		return entry;
	}

	private static ArrayNode dockerManifest(List<SavedImage> saved, Set<Digest> ids) {
		ArrayNode manifest = JSON.createArrayNode();
		for (SavedImage image : saved) {
			ImageRecord record = image.item().record();
			ObjectNode item = manifest.addObject();
			item.put("Config", blobPath(record.id()));
			if (image.item().tags().isEmpty()) {
				// Docker writes null here, and its loaders expect either
				item.putNull("RepoTags");
			}
			else {
				ArrayNode repoTags = item.putArray("RepoTags");
				image.item().tags().forEach((tag) -> repoTags.add(tag.familiarString()));
			}
			ArrayNode layers = item.putArray("Layers");
			record.layers().forEach((layer) -> layers.add(blobPath(layer.diffId())));
			if (record.parent() != null && ids.contains(record.parent())) {
				item.put("Parent", record.parent().toString());
			}
		}
		return manifest;
	}

	/** The file Docker before 1.10 read tags from; kept because old tools still look for it. */
	private static ObjectNode repositories(List<SavedImage> saved) {
		ObjectNode repositories = JSON.createObjectNode();
		for (SavedImage image : saved) {
			List<ImageRecord.Layer> layers = image.item().record().layers();
			String top = layers.get(layers.size() - 1).diffId().hex();
			for (ImageReference tag : image.item().tags()) {
				ObjectNode repository = repositories.has(tag.familiarName())
						? (ObjectNode) repositories.get(tag.familiarName()) : repositories.putObject(tag.familiarName());
				repository.put(tag.tag(), top);
			}
		}
		return repositories;
	}

	private static void descriptor(ObjectNode node, String mediaType, Digest digest, long size) {
		node.put("mediaType", mediaType);
		node.put("digest", digest.toString());
		node.put("size", size);
	}

	/** Go's JSON encoder, which Docker writes these files with, ends each document with a newline. */
	private static byte[] lines(byte[] json) {
		byte[] withNewline = new byte[json.length + 1];
		System.arraycopy(json, 0, withNewline, 0, json.length);
		withNewline[json.length] = '\n';
		return withNewline;
	}

	private static String blobPath(Digest digest) {
		return "blobs/sha256/" + digest.hex();
	}

	private void writeLayer(TarArchiveOutputStream tar, ImageRecord.Layer layer, Instant modified) throws IOException {
		tar.putArchiveEntry(fileEntry(blobPath(layer.diffId()), layer.unpackedSize(), modified));
		MessageDigest sha256 = Digest.newSha256();
		long written = 0;
		try (InputStream in = LayerDiff.decompressed(new BufferedInputStream(this.content.open(layer.blob()), 1 << 16))) {
			byte[] buffer = new byte[1 << 16];
			int n;
			while ((n = in.read(buffer)) > 0) {
				if (written + n > layer.unpackedSize()) {
					throw damaged(layer, "it unpacks to more than the " + layer.unpackedSize() + " bytes recorded");
				}
				tar.write(buffer, 0, n);
				sha256.update(buffer, 0, n);
				written += n;
			}
		}
		if (written != layer.unpackedSize()) {
			throw damaged(layer, "it unpacks to " + written + " bytes, not the " + layer.unpackedSize() + " recorded");
		}
		Digest diffId = Digest.of(sha256);
		if (!diffId.equals(layer.diffId())) {
			throw damaged(layer, "it unpacks to " + diffId);
		}
		tar.closeArchiveEntry();
	}

	private static ContentException damaged(ImageRecord.Layer layer, String why) {
		return new ContentException("layer " + layer.diffId() + " (blob " + layer.blob() + ") is damaged in the store: " + why);
	}

	private static void writeFile(TarArchiveOutputStream tar, String name, byte[] content, Instant modified)
			throws IOException {
		tar.putArchiveEntry(fileEntry(name, content.length, modified));
		tar.write(content);
		tar.closeArchiveEntry();
	}

	private static void writeDirectory(TarArchiveOutputStream tar, String name) throws IOException {
		TarArchiveEntry entry = new TarArchiveEntry(name);
		entry.setMode(040755);
		entry.setModTime(0);
		entry.setIds(0, 0);
		tar.putArchiveEntry(entry);
		tar.closeArchiveEntry();
	}

	private static TarArchiveEntry fileEntry(String name, long size, Instant modified) {
		TarArchiveEntry entry = new TarArchiveEntry(name);
		entry.setSize(size);
		entry.setMode(0100644);
		entry.setModTime(modified.toEpochMilli());
		entry.setIds(0, 0);
		return entry;
	}

}
