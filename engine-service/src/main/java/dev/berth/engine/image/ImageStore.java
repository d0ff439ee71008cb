package dev.berth.engine.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

import dev.berth.engine.content.Digest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Image records and tags, on disk under {@code <root>}: one file per image in {@code images/}
 * and every tag in {@code repositories.json}. Each write goes to a temporary file that is
 * flushed and renamed over the old one, so a crash leaves the old state or the new, never half
 * of one. Everything is also held in memory: listing images reads no disk.
 */
public final class ImageStore {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Path images;

	private final Path repositoriesFile;

	private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

	private final Map<Digest, ImageRecord> records = new LinkedHashMap<>();

	/** {@code docker.io/library/busybox:latest} → image ID, sorted so the file diffs well. */
	private final Map<String, Digest> tags = new TreeMap<>();

	public ImageStore(Path root) {
		this.images = root.resolve("images");
		this.repositoriesFile = root.resolve("repositories.json");
		try {
			Files.createDirectories(this.images);
			load();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read the image store under " + root, ex);
		}
	}

	public List<ImageRecord> list() {
		this.lock.readLock().lock();
		try {
			return new ArrayList<>(this.records.values());
		}
		finally {
			this.lock.readLock().unlock();
		}
	}

	public ImageRecord get(Digest id) {
		this.lock.readLock().lock();
		try {
			return this.records.get(id);
		}
		finally {
			this.lock.readLock().unlock();
		}
	}

	/** Full tag references ({@code registry/repo:tag}) pointing at an image. */
	public List<String> tagsOf(Digest id) {
		this.lock.readLock().lock();
		try {
			return this.tags.entrySet().stream().filter((e) -> e.getValue().equals(id)).map(Map.Entry::getKey).toList();
		}
		finally {
			this.lock.readLock().unlock();
		}
	}

	/** The image a full tag reference names, or null. */
	public Digest tagged(String reference) {
		this.lock.readLock().lock();
		try {
			return this.tags.get(reference);
		}
		finally {
			this.lock.readLock().unlock();
		}
	}

	public Map<String, Digest> allTags() {
		this.lock.readLock().lock();
		try {
			return new TreeMap<>(this.tags);
		}
		finally {
			this.lock.readLock().unlock();
		}
	}

	/** Adds or replaces a record. */
	public void put(ImageRecord record) {
		this.lock.writeLock().lock();
		try {
			writeAtomically(this.images.resolve(record.id().hex() + ".json"), JSON.writeValueAsBytes(toJson(record)));
			this.records.put(record.id(), record);
		}
		finally {
			this.lock.writeLock().unlock();
		}
	}

	/** Points a tag at an image, moving it from whichever image had it; returns the previous one. */
	public Digest tag(String reference, Digest id) {
		this.lock.writeLock().lock();
		try {
			if (!this.records.containsKey(id)) {
				throw new IllegalStateException("no image " + id + " to tag");
			}
			Digest previous = this.tags.put(reference, id);
			saveTags();
			return previous;
		}
		finally {
			this.lock.writeLock().unlock();
		}
	}

	/** Removes a tag; returns the image it pointed at, or null. */
	public Digest untag(String reference) {
		this.lock.writeLock().lock();
		try {
			Digest previous = this.tags.remove(reference);
			if (previous != null) {
				saveTags();
			}
			return previous;
		}
		finally {
			this.lock.writeLock().unlock();
		}
	}

	/** Deletes a record and every tag on it. */
	public void delete(Digest id) {
		this.lock.writeLock().lock();
		try {
			if (this.tags.values().removeIf(id::equals)) {
				saveTags();
			}
			Files.deleteIfExists(this.images.resolve(id.hex() + ".json"));
			this.records.remove(id);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot delete image record " + id, ex);
		}
		finally {
			this.lock.writeLock().unlock();
		}
	}

	private void load() throws IOException {
		try (Stream<Path> files = Files.list(this.images)) {
			for (Path file : files.filter((f) -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
				ImageRecord record = fromJson(JSON.readTree(Files.readAllBytes(file)));
				this.records.put(record.id(), record);
			}
		}
		if (Files.exists(this.repositoriesFile)) {
			JsonNode json = JSON.readTree(Files.readAllBytes(this.repositoriesFile));
			for (Map.Entry<String, JsonNode> entry : json.properties()) {
				Digest id = Digest.parse(entry.getValue().asString());
				// a tag whose record was lost (deleted by hand) must not name a phantom image
				if (this.records.containsKey(id)) {
					this.tags.put(entry.getKey(), id);
				}
			}
		}
	}

	private void saveTags() {
		ObjectNode json = JSON.createObjectNode();
		this.tags.forEach((reference, id) -> json.put(reference, id.toString()));
		writeAtomically(this.repositoriesFile, JSON.writeValueAsBytes(json));
	}

	/** Write, flush, rename, flush the directory: the new file replaces the old in one step. */
	private static void writeAtomically(Path target, byte[] content) {
		Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
		try {
			try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
					StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
				channel.write(java.nio.ByteBuffer.wrap(content));
				channel.force(true);
			}
			Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			try (FileChannel directory = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
				directory.force(true);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + target, ex);
		}
	}

	private static ObjectNode toJson(ImageRecord record) {
		ObjectNode json = JSON.createObjectNode();
		json.put("id", record.id().toString());
		if (record.manifestDigest() != null) {
			json.put("manifestDigest", record.manifestDigest().toString());
		}
		json.put("manifestMediaType", record.manifestMediaType());
		ArrayNode layers = json.putArray("layers");
		for (ImageRecord.Layer layer : record.layers()) {
			layers.addObject()
				.put("blob", layer.blob().toString())
				.put("mediaType", layer.mediaType())
				.put("size", layer.size())
				.put("diffId", layer.diffId().toString())
				.put("unpackedSize", layer.unpackedSize());
		}
		ArrayNode repoDigests = json.putArray("repoDigests");
		record.repoDigests().forEach(repoDigests::add);
		if (record.parent() != null) {
			json.put("parent", record.parent().toString());
		}
		if (record.created() != null) {
			json.put("created", record.created().toString());
		}
		if (record.lastTagTime() != null) {
			json.put("lastTagTime", record.lastTagTime().toString());
		}
		return json;
	}

	private static ImageRecord fromJson(JsonNode json) {
		List<ImageRecord.Layer> layers = new ArrayList<>();
		for (JsonNode layer : json.path("layers").values()) {
			layers.add(new ImageRecord.Layer(Digest.parse(layer.path("blob").asString()),
					layer.path("mediaType").asString(), layer.path("size").asLong(),
					Digest.parse(layer.path("diffId").asString()), layer.path("unpackedSize").asLong()));
		}
		List<String> repoDigests = new ArrayList<>();
		json.path("repoDigests").values().forEach((d) -> repoDigests.add(d.asString()));
		return new ImageRecord(Digest.parse(json.path("id").asString()),
				json.has("manifestDigest") ? Digest.parse(json.path("manifestDigest").asString()) : null,
				json.path("manifestMediaType").asString(),
				layers, repoDigests, json.has("parent") ? Digest.parse(json.path("parent").asString()) : null,
				json.has("created") ? Instant.parse(json.path("created").asString()) : null,
				json.has("lastTagTime") ? Instant.parse(json.path("lastTagTime").asString()) : null);
	}

}
