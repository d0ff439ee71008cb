package dev.berth.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import dev.berth.engine.content.BlobWriter;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.content.InvalidDigestException;
import dev.berth.engine.registry.Descriptor;
import dev.berth.engine.registry.Manifests;
import dev.berth.engine.registry.MediaTypes;
import dev.berth.engine.registry.Platform;
import dev.berth.engine.registry.ProgressEvent;
import dev.berth.engine.registry.ProgressListener;
import dev.berth.engine.registry.RegistryException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code docker load}: images from an archive that {@code docker save} wrote (its
 * {@code manifest.json}), or from an OCI image layout in a tar ({@code index.json} and
 * {@code blobs/}, as {@code skopeo copy … oci-archive:} writes it). Docker 25 and later write
 * both; {@code manifest.json} is read first, as Docker does, because it carries the tags.
 * <p>
 * Everything is checked before anything is kept: every config must hash to the name it is
 * stored under, every layer must unpack to the diff ID its config gives, every OCI blob must
 * match its descriptor. Only then are blobs committed, records written and tags moved, so a
 * bad archive, even one whose first image is fine, leaves the engine as it was. Layers are kept
 * compressed: gzip and zstd blobs as they came, uncompressed tars gzip-compressed on the way in.
 */
final class ImageLoad {

	private static final String DOCKER_MANIFEST = "manifest.json";

	private static final String OCI_INDEX = "index.json";

	private static final String OCI_LAYOUT = "oci-layout";

	/** Where containerd (and Docker 25's save) puts an image's full name in an OCI index. */
	private static final String IMAGE_NAME_ANNOTATION = "io.containerd.image.name";

	private static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

	/** How deep indexes may nest in an OCI layout (index.json → index → manifest is the usual depth). */
	private static final int MAX_INDEX_DEPTH = 4;

	private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ImageStore images;

	private final ContentStore content;

	private final Clock clock;

	private final ArchiveLimits limits;

	ImageLoad(ImageStore images, ContentStore content, Clock clock, ArchiveLimits limits) {
		this.images = images;
		this.content = content;
		this.clock = clock;
		this.limits = limits;
	}

	/** An image found in the archive, checked but not yet stored. */
	private static final class Candidate {

		final Digest id;

		final byte[] config;

		final ImageConfig parsed;

		final List<StagedArchive.Entry> layers;

		final boolean oci;

		final Set<ImageReference> tags = new LinkedHashSet<>();

		Digest parent;

		Candidate(Digest id, byte[] config, ImageConfig parsed, List<StagedArchive.Entry> layers, boolean oci) {
			this.id = id;
			this.config = config;
			this.parsed = parsed;
			this.layers = layers;
			this.oci = oci;
		}

	}

	/**
	 * A layer ready to be recorded: its blob and what it unpacks to. {@code staged} is the blob to
	 * commit, or null when the store already holds an identical layer.
	 */
	private record PreparedLayer(Digest blob, long size, Digest diffId, long unpackedSize,
			LayerDiff.Compression compression, BlobWriter staged) {
	}

	/**
	 * Loads every image of the archive; with a {@code platform}, only the images for it. An OCI
	 * index of several platforms yields the one for {@code platform}, or for this engine's.
	 */
	LoadResult load(InputStream source, Platform platform, ProgressListener progress) throws IOException {
		ProgressListener serialized = serialized(progress);
		List<BlobWriter> compressedHere = Collections.synchronizedList(new ArrayList<>());
		try (StagedArchive archive = StagedArchive.read(source, this.content, this.limits)) {
			Map<Digest, Candidate> candidates = (archive.find(DOCKER_MANIFEST) != null) ? dockerImages(archive, platform)
					: ociImages(archive, platform);
			Map<StagedArchive.Entry, PreparedLayer> layers = prepareLayers(candidates.values(), serialized, compressedHere);
			for (Candidate candidate : candidates.values()) {
				checkDiffIds(candidate, layers);
				checkParent(candidate, candidates);
			}
			return commit(candidates.values(), layers);
		}
		finally {
			compressedHere.forEach(BlobWriter::discard);
		}
	}

	private Map<Digest, Candidate> dockerImages(StagedArchive archive, Platform platform) {
		JsonNode manifest = json(archive, archive.file(DOCKER_MANIFEST));
		if (manifest.isNull()) {
			throw StagedArchive.invalid("invalid manifest, manifest cannot be null (but can be [])");
		}
		if (!manifest.isArray()) {
			throw StagedArchive.invalid(DOCKER_MANIFEST + " is not a JSON array");
		}
		Map<Digest, Candidate> candidates = new LinkedHashMap<>();
		for (JsonNode item : manifest.values()) {
			String configPath = item.path("Config").asString("");
			if (configPath.isEmpty()) {
				throw StagedArchive.invalid(DOCKER_MANIFEST + " has an image without \"Config\"");
			}
			StagedArchive.Entry configEntry = archive.file(configPath);
			byte[] config = archive.read(configEntry, this.limits.maxJsonBytes());
			Digest id = Digest.of(config);
			checkNamedDigest(configPath, id);
			ImageConfig parsed = ImageConfig.parse(config);
			if (!selected(parsed, platform)) {
				continue;
			}
			JsonNode layerPaths = item.path("Layers");
			if (layerPaths.size() != parsed.diffIds().size()) {
				throw StagedArchive.invalid("invalid manifest, layers length mismatch: expected " + layerPaths.size()
						+ ", got " + parsed.diffIds().size());
			}
			List<StagedArchive.Entry> layers = new ArrayList<>();
			for (JsonNode layerPath : layerPaths.values()) {
				layers.add(archive.file(layerPath.asString("")));
			}
			Candidate candidate = candidates.computeIfAbsent(id, (d) -> new Candidate(d, config, parsed, layers, false));
			for (JsonNode repoTag : item.path("RepoTags").values()) {
				candidate.tags.add(explicitTag(repoTag.asString("")));
			}
			String parent = item.path("Parent").asString("");
			if (!parent.isEmpty()) {
				candidate.parent = digest(parent, "Parent");
			}
		}
		return candidates;
	}

	private Map<Digest, Candidate> ociImages(StagedArchive archive, Platform platform) {
		StagedArchive.Entry indexEntry = archive.find(OCI_INDEX);
		if (indexEntry == null) {
			throw StagedArchive.invalid("it has neither " + DOCKER_MANIFEST + " (docker save) nor " + OCI_INDEX
					+ " (an OCI image layout)");
		}
		StagedArchive.Entry layout = archive.find(OCI_LAYOUT);
		if (layout != null) {
			String version = json(archive, layout).path("imageLayoutVersion").asString("");
			if (!version.startsWith("1.")) {
				throw StagedArchive.invalid("unsupported OCI image layout version \"" + version + "\"");
			}
		}
		if (!(document(archive.read(indexEntry, this.limits.maxJsonBytes()), MediaTypes.OCI_INDEX,
				OCI_INDEX) instanceof Manifests.Index index)) {
			throw StagedArchive.invalid(OCI_INDEX + " is not an image index");
		}
		Platform wanted = (platform != null) ? platform : Platform.host();
		Map<Digest, Candidate> candidates = new LinkedHashMap<>();
		for (Descriptor descriptor : index.manifests()) {
			addOci(archive, descriptor, namesOf(descriptor), platform, wanted, candidates, 1);
		}
		if (candidates.isEmpty()) {
			throw StagedArchive.invalid("no image for " + wanted + " in it");
		}
		return candidates;
	}

	private void addOci(StagedArchive archive, Descriptor descriptor, Set<ImageReference> names, Platform platform,
			Platform wanted, Map<Digest, Candidate> candidates, int depth) {
		if (depth > MAX_INDEX_DEPTH) {
			throw StagedArchive.invalid("indexes nest more than " + MAX_INDEX_DEPTH + " deep");
		}
		byte[] bytes = archive.read(blob(archive, descriptor), Manifests.MAX_MANIFEST_BYTES);
		switch (document(bytes, descriptor.mediaType(), "blob " + descriptor.digest())) {
			case Manifests.Index nested -> nested.select(wanted)
				.ifPresent((chosen) -> addOci(archive, chosen, names, platform, wanted, candidates, depth + 1));
			case Manifests.ImageManifest manifest -> {
				StagedArchive.Entry configEntry = blob(archive, manifest.config());
				byte[] config = archive.read(configEntry, this.limits.maxJsonBytes());
				ImageConfig parsed = ImageConfig.parse(config);
				if (!selected(parsed, platform)) {
					return;
				}
				if (parsed.diffIds().size() != manifest.layers().size()) {
					throw StagedArchive.invalid("image " + configEntry.digest + " has " + parsed.diffIds().size()
							+ " diff IDs but its manifest " + manifest.layers().size() + " layers");
				}
				List<StagedArchive.Entry> layers = manifest.layers().stream().map((layer) -> blob(archive, layer)).toList();
				candidates.computeIfAbsent(configEntry.digest, (d) -> new Candidate(d, config, parsed, layers, true)).tags
					.addAll(names);
			}
		}
	}

	/** The blob a descriptor names in {@code blobs/sha256/}, which must be exactly what it describes. */
	private static StagedArchive.Entry blob(StagedArchive archive, Descriptor descriptor) {
		StagedArchive.Entry entry = archive.file("blobs/sha256/" + descriptor.digest().hex());
		if (!entry.digest.equals(descriptor.digest())) {
			throw StagedArchive.invalid("blob " + descriptor.digest() + " does not match its digest: its content hashes to "
					+ entry.digest);
		}
		if (entry.size != descriptor.size()) {
			throw StagedArchive.invalid("blob " + descriptor.digest() + " is " + entry.size + " bytes, its descriptor says "
					+ descriptor.size());
		}
		return entry;
	}

	/**
	 * The name an OCI index entry gives its image: containerd's full-name annotation, or an
	 * {@code org.opencontainers.image.ref.name} that is a whole reference ({@code busybox:latest},
	 * as skopeo writes it). A bare tag ({@code latest}, as umoci writes it) names no repository,
	 * so such an image loads untagged, as containerd loads it.
	 */
	private static Set<ImageReference> namesOf(Descriptor descriptor) {
		String name = descriptor.annotations().get(IMAGE_NAME_ANNOTATION);
		if (name == null) {
			String refName = descriptor.annotations().get(REF_NAME_ANNOTATION);
			if (refName != null && (refName.contains("/") || refName.contains(":"))) {
				name = refName;
			}
		}
		if (name == null) {
			return Set.of();
		}
		ImageReference reference;
		try {
			reference = ImageReference.parse(name);
		}
		catch (InvalidReferenceException ex) {
			throw StagedArchive.invalid("the index names an image \"" + name + "\": " + ex.getMessage());
		}
		return (reference.tag() != null)
				? Set.of(new ImageReference(reference.registry(), reference.repository(), reference.tag(), null)) : Set.of();
	}

	private Map<StagedArchive.Entry, PreparedLayer> prepareLayers(Iterable<Candidate> candidates, ProgressListener progress,
			List<BlobWriter> compressedHere) throws IOException {
		Map<Digest, ImageRecord.Layer> byDiffId = new HashMap<>();
		Map<Digest, ImageRecord.Layer> byBlob = new HashMap<>();
		for (ImageRecord record : this.images.list()) {
			for (ImageRecord.Layer layer : record.layers()) {
				if (this.content.has(layer.blob())) {
					byDiffId.putIfAbsent(layer.diffId(), layer);
					byBlob.putIfAbsent(layer.blob(), layer);
				}
			}
		}
		// each entry once, with the diff ID its first image expects, which names it in progress
		Map<StagedArchive.Entry, Digest> entries = new LinkedHashMap<>();
		for (Candidate candidate : candidates) {
			for (int i = 0; i < candidate.layers.size(); i++) {
				entries.putIfAbsent(candidate.layers.get(i), candidate.parsed.diffIds().get(i));
			}
		}
		Map<StagedArchive.Entry, Future<PreparedLayer>> futures = new LinkedHashMap<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			entries.forEach((entry, expected) -> futures.put(entry,
					executor.submit(() -> prepare(entry, expected, byDiffId, byBlob, progress, compressedHere))));
		}
		Map<StagedArchive.Entry, PreparedLayer> prepared = new HashMap<>();
		for (Map.Entry<StagedArchive.Entry, Future<PreparedLayer>> future : futures.entrySet()) {
			try {
				prepared.put(future.getKey(), future.getValue().get());
			}
			catch (ExecutionException ex) {
				switch (ex.getCause()) {
					case IOException io -> throw io;
					case RuntimeException runtime -> throw runtime;
					default -> throw new IllegalStateException(ex.getCause());
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while loading layers", ex);
			}
		}
		return prepared;
	}

	private PreparedLayer prepare(StagedArchive.Entry entry, Digest expected, Map<Digest, ImageRecord.Layer> byDiffId,
			Map<Digest, ImageRecord.Layer> byBlob, ProgressListener progress, List<BlobWriter> compressedHere)
			throws IOException {
		String id = expected.shortId();
		progress.onProgress(new ProgressEvent(id, "Loading layer", 0, entry.size));
		PreparedLayer prepared;
		if (entry.gzippedHere) {
			// compressed while the archive streamed in; an identical layer already stored wins
			ImageRecord.Layer known = byDiffId.get(entry.digest);
			prepared = (known != null) ? existing(known)
					: new PreparedLayer(entry.blob.digest(), entry.blob.size(), entry.digest, entry.size,
							LayerDiff.Compression.GZIP, entry.blob);
		}
		else if (entry.compression != LayerDiff.Compression.NONE) {
			// stored as it came; only the very same blob is reused, so a zstd layer stays zstd
			ImageRecord.Layer known = byBlob.get(entry.digest);
			if (known != null) {
				prepared = existing(known);
			}
			else {
				LayerDiff.Result diff;
				try (InputStream in = entry.open()) {
					diff = LayerDiff.of(in);
				}
				catch (IOException ex) {
					throw StagedArchive.invalid("layer \"" + entry.name + "\" cannot be decompressed: " + ex.getMessage());
				}
				prepared = new PreparedLayer(entry.digest, entry.size, diff.diffId(), diff.size(), entry.compression,
						entry.blob);
			}
		}
		else {
			// uncompressed but not recognized as a tar while streaming (a pre-POSIX tar, an empty one)
			ImageRecord.Layer known = byDiffId.get(entry.digest);
			if (known != null) {
				prepared = existing(known);
			}
			else {
				LayerWriter.Staged staged;
				try (InputStream in = entry.open()) {
					staged = LayerWriter.stage(this.content, in);
				}
				compressedHere.add(staged.blob());
				prepared = new PreparedLayer(staged.blob().digest(), staged.blob().size(), staged.diffId(),
						staged.unpackedSize(), LayerDiff.Compression.GZIP, staged.blob());
			}
		}
		progress.onProgress(new ProgressEvent(id, "Loading layer", entry.size, entry.size));
		return prepared;
	}

	private static PreparedLayer existing(ImageRecord.Layer layer) {
		String type = (layer.mediaType() != null) ? layer.mediaType() : "";
		LayerDiff.Compression compression = type.endsWith("zstd") ? LayerDiff.Compression.ZSTD
				: type.endsWith("tar") ? LayerDiff.Compression.NONE : LayerDiff.Compression.GZIP;
		return new PreparedLayer(layer.blob(), layer.size(), layer.diffId(), layer.unpackedSize(), compression, null);
	}

	private static void checkDiffIds(Candidate candidate, Map<StagedArchive.Entry, PreparedLayer> layers) {
		for (int i = 0; i < candidate.layers.size(); i++) {
			Digest expected = candidate.parsed.diffIds().get(i);
			Digest actual = layers.get(candidate.layers.get(i)).diffId();
			if (!actual.equals(expected)) {
				throw StagedArchive.invalid("invalid diffID for layer " + i + ": expected \"" + expected + "\", got \""
						+ actual + "\"");
			}
		}
	}

	/**
	 * A parent is kept only when it is loaded too and the child is one build step on top of it:
	 * the child's history is the parent's plus one entry. That is Docker's rule, and what makes
	 * {@code docker history} walk from the child to the parent correctly.
	 */
	private static void checkParent(Candidate candidate, Map<Digest, Candidate> candidates) {
		if (candidate.parent == null) {
			return;
		}
		Candidate parent = candidates.get(candidate.parent);
		if (parent == null) {
			candidate.parent = null;
			return;
		}
		List<JsonNode> child = candidate.parsed.json().path("history").values().stream().toList();
		List<JsonNode> ancestor = parent.parsed.json().path("history").values().stream().toList();
		boolean valid = (child.isEmpty() && ancestor.isEmpty())
				|| (child.size() == ancestor.size() + 1 && child.subList(0, ancestor.size()).equals(ancestor));
		if (!valid) {
			throw StagedArchive.invalid("image " + parent.id + " is not a valid parent for " + candidate.id);
		}
	}

	/** Everything checked: commit blobs, then records, then tags, and say what was loaded. */
	private LoadResult commit(Iterable<Candidate> candidates, Map<StagedArchive.Entry, PreparedLayer> layers) {
		List<ImageRecord> loaded = new ArrayList<>();
		List<String> messages = new ArrayList<>();
		for (Candidate candidate : candidates) {
			ImageRecord record = this.images.get(candidate.id);
			if (record == null) {
				// an image already here keeps its layers: its own blobs are in the store
				List<PreparedLayer> own = candidate.layers.stream().map(layers::get).toList();
				own.stream().filter((layer) -> layer.staged() != null).forEach((layer) -> layer.staged().commit());
				this.content.put(candidate.config);
				boolean oci = candidate.oci || own.stream().anyMatch((l) -> l.compression() == LayerDiff.Compression.ZSTD);
				List<ImageRecord.Layer> recordLayers = own.stream()
					.map((l) -> new ImageRecord.Layer(l.blob(), mediaType(oci, l.compression()), l.size(), l.diffId(),
							l.unpackedSize()))
					.toList();
				record = new ImageRecord(candidate.id, null, oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST,
						recordLayers, List.of(), candidate.parent, candidate.parsed.created(), null);
			}
			if (!candidate.tags.isEmpty()) {
				record = record.withLastTagTime(this.clock.instant());
			}
			this.images.put(record);
			for (ImageReference tag : candidate.tags) {
				Digest previous = this.images.tag(tag.toString(), candidate.id);
				if (previous != null && !previous.equals(candidate.id)) {
					messages.add("The image " + tag.familiarString() + " already exists, renaming the old one with ID "
							+ previous + " to empty string");
				}
				messages.add("Loaded image: " + tag.familiarString());
			}
			if (candidate.tags.isEmpty()) {
				messages.add("Loaded image ID: " + candidate.id);
			}
			loaded.add(record);
		}
		return new LoadResult(loaded, messages);
	}

	private static String mediaType(boolean oci, LayerDiff.Compression compression) {
		return switch (compression) {
			case GZIP -> oci ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.DOCKER_LAYER;
			case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
			case NONE -> oci ? MediaTypes.OCI_LAYER : "application/vnd.docker.image.rootfs.diff.tar";
		};
	}

	/** Only Linux images run here; with a platform asked for, only images for it are loaded. */
	private static boolean selected(ImageConfig config, Platform platform) {
		if (!config.os().isEmpty() && !config.os().equals("linux")) {
			throw new InvalidImageException("cannot load " + config.os() + " image on linux");
		}
		return platform == null || platform.accepts(new Platform(config.os(), config.architecture(), config.variant()));
	}

	/**
	 * Docker names configs {@code <hex>.json} (before 25) or {@code blobs/sha256/<hex>}: when the
	 * name carries a digest, the content must hash to it. A config that says it is one image and
	 * is another is exactly the confusion content addressing exists to rule out.
	 */
	private static void checkNamedDigest(String path, Digest actual) {
		String name = path.substring(path.lastIndexOf('/') + 1);
		if (name.endsWith(".json")) {
			name = name.substring(0, name.length() - ".json".length());
		}
		if (name.startsWith("sha256:")) {
			name = name.substring("sha256:".length());
		}
		if (HEX.matcher(name).matches() && !name.equals(actual.hex())) {
			throw StagedArchive.invalid("config \"" + path + "\" does not match its name: its content hashes to " + actual);
		}
	}

	/** A RepoTags entry must name a tag, as Docker requires: {@code busybox:latest}, not {@code busybox}. */
	private static ImageReference explicitTag(String text) {
		ImageReference reference;
		try {
			reference = ImageReference.parse(text);
		}
		catch (InvalidReferenceException ex) {
			throw StagedArchive.invalid("invalid tag \"" + text + "\": " + ex.getMessage());
		}
		int colon = text.lastIndexOf(':');
		if (reference.digest() != null || colon < text.lastIndexOf('/') || colon < 0) {
			throw StagedArchive.invalid("invalid tag \"" + text + "\"");
		}
		return reference;
	}

	private static Digest digest(String text, String field) {
		try {
			return Digest.parse(text);
		}
		catch (InvalidDigestException ex) {
			throw StagedArchive.invalid(DOCKER_MANIFEST + " " + field + ": " + ex.getMessage());
		}
	}

	private JsonNode json(StagedArchive archive, StagedArchive.Entry entry) {
		byte[] bytes = archive.read(entry, this.limits.maxJsonBytes());
		try {
			JsonNode node = JSON.readTree(bytes);
			if (node == null || node.isMissingNode()) {
				throw StagedArchive.invalid("\"" + entry.name + "\" is empty");
			}
			return node;
		}
		catch (JacksonException ex) {
			throw StagedArchive.invalid("\"" + entry.name + "\" is not valid JSON: " + ex.getOriginalMessage());
		}
	}

	private static Manifests.Document document(byte[] bytes, String mediaType, String what) {
		try {
			return Manifests.parse(bytes, mediaType);
		}
		catch (RegistryException ex) {
			throw StagedArchive.invalid(what + ": " + ex.getMessage());
		}
	}

	/** Layers are prepared in parallel, but a listener hears one event at a time. */
	private static ProgressListener serialized(ProgressListener progress) {
		Object lock = new Object();
		return (event) -> {
			synchronized (lock) {
				progress.onProgress(event);
			}
		};
	}

}
