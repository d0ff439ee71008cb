package dev.berth.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.Descriptor;
import dev.berth.engine.registry.Manifests;
import dev.berth.engine.registry.MediaTypes;
import dev.berth.engine.registry.PushContent;
import dev.berth.engine.registry.Platform;
import dev.berth.engine.registry.ProgressEvent;
import dev.berth.engine.registry.ProgressListener;
import dev.berth.engine.registry.PulledImage;
import dev.berth.engine.registry.Registries;
import dev.berth.engine.registry.RegistryCredentials;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Docker's image operations over the {@link ImageStore} and {@link ContentStore}: pull, resolve
 * a name or ID as {@code docker} does, tag, and remove with Docker's untag-or-delete rules; save,
 * load and import, history, prune and disk usage, each in a class of its own.
 */
public final class ImageService {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * Blobs are shared between images, so deleting them must not race adding them: a prune must
	 * not take a layer a pull or load is about to record as its own. Operations that add blobs
	 * share this lock ({@link #adding}); those that delete them hold it alone ({@link #deleting}).
	 */
	private final ReadWriteLock blobs = new ReentrantReadWriteLock(true);

	private static final Pattern FULL_ID = Pattern.compile("(sha256:)?[a-f0-9]{64}");

	private static final Pattern ID_PREFIX = Pattern.compile("(sha256:)?[a-f0-9]{1,63}");

	private final ImageStore images;

	private final ContentStore content;

	private final Registries registries;

	private final Clock clock;

	private final ImageSave saver;

	private final ImageLoad loader;

	private final ImageImport importer;

	private final ImageCommit committer;

	private final ImageHistory histories;

	private final ImagePrune pruner;

	private final ImageDiskUsage diskUsage;

	private final ImageEvents events;

	public ImageService(ImageStore images, ContentStore content, Registries registries, Clock clock) {
		this(images, content, registries, clock, ArchiveLimits.DEFAULT, ImageEvents.NONE);
	}

	public ImageService(ImageStore images, ContentStore content, Registries registries, Clock clock,
			ArchiveLimits archiveLimits) {
		this(images, content, registries, clock, archiveLimits, ImageEvents.NONE);
	}

	public ImageService(ImageStore images, ContentStore content, Registries registries, Clock clock,
			ArchiveLimits archiveLimits, ImageEvents events) {
		this.images = images;
		this.events = events;
		this.content = content;
		this.registries = registries;
		this.clock = clock;
		this.saver = new ImageSave(images, content, this::resolve);
		this.loader = new ImageLoad(images, content, clock, archiveLimits);
		ImageWriter writer = new ImageWriter(images, content);
		this.importer = new ImageImport(writer, clock);
		this.committer = new ImageCommit(images, content, writer, clock);
		this.histories = new ImageHistory(images, this::config, this::repoTags);
		this.pruner = new ImagePrune(images, content, this::labels, this::remove, clock);
		this.diskUsage = new ImageDiskUsage(images, content);
	}

	/**
	 * Pulls an image and tags it, reporting Docker's progress lines. Every layer's diff ID is
	 * checked against the config before the image is recorded: the image ID (the config digest)
	 * vouches for the diff IDs, and this check ties the downloaded blobs to them.
	 */
	public ImageRecord pull(ImageReference reference, Platform platform, RegistryCredentials credentials,
			ProgressListener progress) {
		return adding(() -> pullSharing(reference, platform, credentials, progress));
	}

	private ImageRecord pullSharing(ImageReference reference, Platform platform, RegistryCredentials credentials,
			ProgressListener progress) {
		Digest before = (reference.tag() != null) ? this.images.tagged(reference.toString()) : null;
		PulledImage pulled;
		ImageRecord record;
		Set<String> downloaded = java.util.concurrent.ConcurrentHashMap.newKeySet();
		ProgressListener watching = (event) -> {
			if ("Download complete".equals(event.status())) {
				downloaded.add(event.id());
			}
			progress.onProgress(event);
		};
		try (DiffTap diffs = new DiffTap()) {
			pulled = this.registries.pull(this.content, reference, platform, credentials, watching, diffs);
			record = this.images.get(pulled.manifest().config().digest());
			if (record == null) {
				record = record(pulled, pulled.manifest().config().digest(), diffs);
			}
		}
		Digest id = record.id();
		// as Docker says it of each downloaded layer, once the layer is whole and its diff ID checked
		pulled.manifest().layers().stream().map((layer) -> layer.digest().shortId()).distinct()
			.filter(downloaded::contains)
			.forEach((layer) -> progress.onProgress(ProgressEvent.status(layer, "Pull complete")));
		String repoDigest = reference.name() + "@" + pulled.repositoryDigest();
		record = record.withRepoDigest(repoDigest);
		if (reference.tag() != null) {
			record = record.withLastTagTime(this.clock.instant());
		}
		this.images.put(record);
		if (reference.tag() != null) {
			this.images.tag(reference.toString(), id);
		}
		// dockerd names a pull by the reference pulled and its repository
		event("pull", reference.familiarString(), reference.familiarName(), id);
		progress.onProgress(ProgressEvent.message("Digest: " + pulled.repositoryDigest()));
		String shown = reference.familiarString();
		progress.onProgress(ProgressEvent.message(id.equals(before) ? "Status: Image is up to date for " + shown
				: "Status: Downloaded newer image for " + shown));
		return record;
	}

	private ImageRecord record(PulledImage pulled, Digest id, DiffTap computed) {
		ImageConfig config = ImageConfig.parse(pulled.config());
		List<Descriptor> blobs = pulled.manifest().layers();
		if (config.diffIds().size() != blobs.size()) {
			throw new InvalidImageException("image config lists " + config.diffIds().size() + " layers, the manifest "
					+ blobs.size());
		}
		List<LayerDiff.Result> diffs = diffsOf(blobs, computed);
		List<ImageRecord.Layer> layers = new ArrayList<>();
		for (int i = 0; i < blobs.size(); i++) {
			Descriptor blob = blobs.get(i);
			LayerDiff.Result diff = diffs.get(i);
			if (!diff.diffId().equals(config.diffIds().get(i))) {
				throw new InvalidImageException("layer " + blob.digest() + " unpacks to " + diff.diffId()
						+ " but the image config says " + config.diffIds().get(i));
			}
			layers.add(new ImageRecord.Layer(blob.digest(), blob.mediaType(), blob.size(), diff.diffId(), diff.size()));
		}
		return new ImageRecord(id, pulled.manifestDigest(), pulled.manifest().mediaType(), layers, List.of(), null,
				config.created(), null);
	}

	/**
	 * Diff IDs of the layers: computed during the download where it ran in one go, known from
	 * other images, or else read from the stored blobs, in parallel.
	 */
	private List<LayerDiff.Result> diffsOf(List<Descriptor> blobs, DiffTap computed) {
		Map<Digest, LayerDiff.Result> known = new HashMap<>();
		for (ImageRecord existing : this.images.list()) {
			for (ImageRecord.Layer layer : existing.layers()) {
				known.put(layer.blob(), new LayerDiff.Result(layer.diffId(), layer.unpackedSize()));
			}
		}
		List<Future<LayerDiff.Result>> futures = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			for (Descriptor blob : blobs) {
				LayerDiff.Result cached = known.containsKey(blob.digest()) ? known.get(blob.digest())
						: computed.resultOf(blob.digest());
				futures.add((cached != null) ? java.util.concurrent.CompletableFuture.completedFuture(cached)
						: executor.submit(() -> {
							try (InputStream in = this.content.open(blob.digest())) {
								return LayerDiff.of(in);
							}
						}));
			}
			List<LayerDiff.Result> results = new ArrayList<>();
			for (Future<LayerDiff.Result> future : futures) {
				results.add(future.get());
			}
			return results;
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw new InvalidImageException("a layer of the image cannot be decompressed: " + io.getMessage());
			}
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while checking layers", ex);
		}
	}

	/**
	 * {@code docker push}: pushes the tag {@code tag} of {@code name}, or every tag of that
	 * repository when {@code tag} is empty. A pulled image goes up with its original manifest, so
	 * its digest is unchanged; a local image gets a manifest made for it. Layers another
	 * repository of the same registry is known to hold are mounted rather than uploaded.
	 */
	public List<PushedTag> push(String name, String tag, RegistryCredentials credentials, ProgressListener progress) {
		return adding(() -> pushSharing(name, tag, credentials, progress));
	}

	private List<PushedTag> pushSharing(String name, String tag, RegistryCredentials credentials, ProgressListener progress) {
		ImageReference repository = ImageReference.parse(name);
		if (repository.digest() != null || (name.lastIndexOf(':') > name.lastIndexOf('/') && tag != null && !tag.isEmpty())) {
			throw new InvalidReferenceException("invalid reference format: push takes a repository and a tag apart");
		}
		List<String> tags = new ArrayList<>();
		if (tag != null && !tag.isEmpty()) {
			tags.add(ImageReference.parse(repository.name() + ":" + tag).toString());
		}
		else if (name.lastIndexOf(':') > name.lastIndexOf('/')) {
			tags.add(repository.toString());
		}
		else {
			this.images.allTags().keySet().stream()
				.filter((t) -> ImageReference.parse(t).name().equals(repository.name()))
				.forEach(tags::add);
		}
		if (tags.isEmpty() || tags.stream().anyMatch((t) -> this.images.tagged(t) == null)) {
			throw ImageNotFoundException.noLocalTag(repository.familiarName());
		}
		progress.onProgress(ProgressEvent.message("The push refers to repository [" + repository.name() + "]"));
		List<PushedTag> pushed = new ArrayList<>();
		for (String full : tags) {
			ImageReference target = ImageReference.parse(full);
			ImageRecord record = this.images.get(this.images.tagged(full));
			PushContent content = pushContent(record, target);
			Digest digest = this.registries.push(this.content, target, content, credentials, progress);
			progress.onProgress(ProgressEvent.message(target.tag() + ": digest: " + digest + " size: " + content.manifest().length));
			this.images.put(this.images.get(record.id()).withRepoDigest(target.name() + "@" + digest));
			pushed.add(new PushedTag(target.tag(), digest, content.manifest().length));
		}
		// as the client named it: one tag, or the whole repository
		ImageReference named = (tag != null && !tag.isEmpty()) ? ImageReference.parse(repository.name() + ":" + tag)
				: ImageReference.parse(name);
		event("push", named.familiarString(), named.familiarName(), this.images.tagged(tags.get(0)));
		return pushed;
	}

	/** One tag a push put in the registry: Docker's aux message after each tag. */
	public record PushedTag(String tag, Digest digest, long size) {
	}

	/**
	 * {@code docker login}: checks the credentials against the registry. {@code serverAddress} is
	 * what the CLI sends, a host or a URL; Docker Hub's legacy index URL means Docker Hub.
	 */
	public void login(String serverAddress, RegistryCredentials credentials) {
		String host = (serverAddress == null) ? "" : serverAddress.trim();
		host = host.replaceFirst("^[a-zA-Z]+://", "");
		int slash = host.indexOf('/');
		host = (slash >= 0) ? host.substring(0, slash) : host;
		if (host.isEmpty() || host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
			host = ImageReference.DOCKER_HUB;
		}
		this.registries.login(host, credentials);
	}

	private PushContent pushContent(ImageRecord record, ImageReference target) {
		ImageRecord withManifest = (record.manifestDigest() != null && this.content.has(record.manifestDigest())) ? record
				: withMadeManifest(record);
		byte[] manifestBytes = this.content.read(withManifest.manifestDigest(), Manifests.MAX_MANIFEST_BYTES);
		Manifests.ImageManifest manifest = (Manifests.ImageManifest) Manifests.parse(manifestBytes,
				withManifest.manifestMediaType());
		Map<Digest, String> mountSources = new HashMap<>();
		for (Descriptor layer : manifest.layers()) {
			for (ImageRecord other : this.images.list()) {
				if (other.layers().stream().noneMatch((l) -> l.blob().equals(layer.digest()))) {
					continue;
				}
				other.repoDigests().stream()
					.map(ImageReference::parse)
					.filter((r) -> r.registry().equals(target.registry()) && !r.repository().equals(target.repository()))
					.findFirst()
					.ifPresent((r) -> mountSources.putIfAbsent(layer.digest(), r.repository()));
			}
		}
		return new PushContent(target.tag(), manifestBytes, manifest.mediaType(), manifest.config(), manifest.layers(),
				mountSources);
	}

	/**
	 * Makes a manifest for an image that has none (loaded, imported, committed): Docker schema 2
	 * for gzip layers, OCI when any layer is OCI-typed, and records it so later pushes agree.
	 */
	private ImageRecord withMadeManifest(ImageRecord record) {
		boolean oci = record.layers().stream().anyMatch((l) -> l.mediaType() != null && l.mediaType().startsWith("application/vnd.oci"));
		String manifestType = oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
		ObjectNode manifest = JSON.createObjectNode();
		manifest.put("schemaVersion", 2);
		manifest.put("mediaType", manifestType);
		manifest.putObject("config")
			.put("mediaType", oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG)
			.put("digest", record.id().toString())
			.put("size", this.content.size(record.id()));
		ArrayNode layers = manifest.putArray("layers");
		for (ImageRecord.Layer layer : record.layers()) {
			String layerType = (layer.mediaType() != null) ? layer.mediaType() : MediaTypes.DOCKER_LAYER;
			layers.addObject().put("mediaType", layerType).put("digest", layer.blob().toString()).put("size", layer.size());
		}
		Digest digest = this.content.put(JSON.writeValueAsBytes(manifest));
		ImageRecord updated = new ImageRecord(record.id(), digest, manifestType, record.layers(), record.repoDigests(),
				record.parent(), record.created(), record.lastTagTime());
		this.images.put(updated);
		return updated;
	}

	/**
	 * Finds an image the way {@code docker} does: a full ID, then a name (tag or digest), then a
	 * unique ID prefix. Throws {@link ImageNotFoundException} with Docker's wording.
	 */
	public ImageRecord resolve(String nameOrId) {
		if (FULL_ID.matcher(nameOrId).matches()) {
			ImageRecord record = this.images.get(Digest.parse(nameOrId.startsWith("sha256:") ? nameOrId : "sha256:" + nameOrId));
			if (record != null) {
				return record;
			}
		}
		ImageReference reference = null;
		try {
			reference = ImageReference.parse(nameOrId);
		}
		catch (InvalidReferenceException ex) {
			if (!ID_PREFIX.matcher(nameOrId).matches()) {
				throw ex;
			}
		}
		if (reference != null) {
			ImageRecord byName = byReference(reference);
			if (byName != null) {
				return byName;
			}
		}
		if (ID_PREFIX.matcher(nameOrId).matches()) {
			String prefix = nameOrId.startsWith("sha256:") ? nameOrId.substring(7) : nameOrId;
			List<ImageRecord> matches = this.images.list().stream().filter((r) -> r.id().hex().startsWith(prefix)).toList();
			if (matches.size() == 1) {
				return matches.get(0);
			}
		}
		// dockerd names what it looked for with the default tag filled in: No such image: nope:latest
		throw new ImageNotFoundException((reference != null) ? reference.familiarString() : nameOrId);
	}

	private ImageRecord byReference(ImageReference reference) {
		if (reference.digest() != null) {
			String repoDigest = reference.name() + "@" + reference.digest();
			return this.images.list().stream().filter((r) -> r.repoDigests().contains(repoDigest)).findFirst().orElse(null);
		}
		Digest id = this.images.tagged(reference.toString());
		return (id != null) ? this.images.get(id) : null;
	}

	/** {@code docker tag}: points {@code target} at the image {@code source} names. */
	public void tag(String source, String target) {
		ImageRecord record = resolve(source);
		ImageReference reference = ImageReference.parse(target);
		if (reference.digest() != null) {
			throw new InvalidReferenceException("refusing to create a tag with a digest reference");
		}
		this.images.tag(reference.toString(), record.id());
		this.images.put(record.withLastTagTime(this.clock.instant()));
		event("tag", record.id().toString(), reference.familiarString(), record.id());
	}

	/** Tags of an image as Docker shows them: {@code busybox:latest}, {@code localhost:5000/app:1}. */
	public List<String> repoTags(ImageRecord record) {
		return this.images.tagsOf(record.id()).stream().map((t) -> ImageReference.parse(t).familiarString()).toList();
	}

	/** Repo digests as Docker shows them: {@code busybox@sha256:…}. */
	public List<String> repoDigests(ImageRecord record) {
		return record.repoDigests().stream().map((d) -> ImageReference.parse(d).familiarString()).toList();
	}

	/**
	 * {@code docker images}: newest first, filtered; without {@code all}, untagged images that
	 * are parents of other images (intermediate build steps) are left out, as Docker does.
	 */
	public List<ImageRecord> list(Map<String, List<String>> filters, boolean all) {
		ImageFilters imageFilters = new ImageFilters(filters, this::resolve);
		List<ImageRecord> records = this.images.list();
		Set<Digest> parents = new HashSet<>();
		records.forEach((r) -> {
			if (r.parent() != null) {
				parents.add(r.parent());
			}
		});
		return records.stream()
			.filter((r) -> all || !parents.contains(r.id()) || !this.images.tagsOf(r.id()).isEmpty())
			.filter((r) -> imageFilters.matches(r, repoTags(r), () -> labels(r)))
			.sorted(java.util.Comparator.comparing((ImageRecord r) -> (r.created() != null) ? r.created() : java.time.Instant.EPOCH)
				.reversed())
			.toList();
	}

	/** The image config as stored, for inspect. */
	public ImageConfig config(ImageRecord record) {
		return ImageConfig.parse(configBytes(record));
	}

	public byte[] configBytes(ImageRecord record) {
		return this.content.read(record.id(), ImageConfig.MAX_BYTES);
	}

	private Map<String, String> labels(ImageRecord record) {
		Map<String, String> labels = new HashMap<>();
		config(record).json().path("config").path("Labels").properties()
			.forEach((e) -> labels.put(e.getKey(), e.getValue().asString("")));
		return labels;
	}

	/** {@code docker rmi} (see {@link #removeAlone}), never while blobs are being added. */
	public List<ImageDeleteItem> remove(String nameOrId, boolean force, ImageUsers users) {
		return deleting(() -> removeAlone(nameOrId, force, users));
	}

	/**
	 * {@code docker rmi}, with Docker's rules. A name removes that reference (and the digest
	 * references of its repository once no tag of it is left); the image itself goes only when no
	 * reference remains, and silently stays when a container still uses it. An ID deletes the
	 * image: all its references go with it when they are one tag within one repository, otherwise
	 * {@code force} is needed, as it is for an image a stopped container uses. An image a running
	 * container uses is never deleted.
	 */
	private List<ImageDeleteItem> removeAlone(String nameOrId, boolean force, ImageUsers users) {
		ImageRecord record = resolve(nameOrId);
		List<ImageDeleteItem> result = new ArrayList<>();
		List<ImageUsers.User> using = users.usersOf(record.id());
		if (!isIdPrefix(record.id(), nameOrId)) {
			if (!using.isEmpty() && isSingleReference(references(record.id())) && !force) {
				throw new ImageConflictException("conflict: unable to remove repository reference \"" + nameOrId
						+ "\" (must force) - container " + shortOf(using.get(0).containerId())
						+ " is using its referenced image " + record.id().shortId());
			}
			ImageReference named = ImageReference.parse(nameOrId);
			removeReference(named, record.id(), result);
			if (named.digest() == null && references(record.id()).stream()
				.noneMatch((r) -> r.digest() == null && r.name().equals(named.name()))) {
				// no tag of this repository is left: its digest references go too
				for (ImageReference leftover : references(record.id())) {
					if (leftover.digest() != null && leftover.name().equals(named.name())) {
						// as dockerd: this cleanup makes no untag event of its own
						dropReference(leftover, record.id(), result);
					}
				}
			}
			if (!references(record.id()).isEmpty() || !using.isEmpty()) {
				// still named, or kept for the containers that use it: the untag was the whole job
				return result;
			}
		}
		else {
			// every conflict is found before anything is untagged, so a refused rmi changes nothing
			List<ImageReference> references = references(record.id());
			for (ImageUsers.User user : using) {
				if (user.running()) {
					throw new ImageConflictException("conflict: unable to delete " + record.id().shortId()
							+ " (cannot be forced) - image is being used by running container " + shortOf(user.containerId()));
				}
			}
			// the references of one repository with at most one tag go with the ID; others only by force
			if (!force && !references.isEmpty() && !isSingleReference(references)) {
				throw new ImageConflictException("conflict: unable to delete " + record.id().shortId()
						+ " (must be forced) - image is referenced in multiple repositories");
			}
			if (!force && !using.isEmpty()) {
				throw new ImageConflictException("conflict: unable to delete " + record.id().shortId()
						+ " (must be forced) - image is being used by stopped container " + shortOf(using.get(0).containerId()));
			}
			references.forEach((r) -> removeReference(r, record.id(), result));
			if (!using.isEmpty()) {
				// forced: the stopped container keeps its image, now untagged
				return result;
			}
		}
		result.addAll(delete(this.images.get(record.id())));
		return result;
	}

	/** Every reference to an image: its tags, then its digest references. */
	private List<ImageReference> references(Digest id) {
		List<ImageReference> references = new ArrayList<>();
		this.images.tagsOf(id).forEach((t) -> references.add(ImageReference.parse(t)));
		ImageRecord record = this.images.get(id);
		if (record != null) {
			record.repoDigests().forEach((d) -> references.add(ImageReference.parse(d)));
		}
		return references;
	}

	/** Removes a reference and reports the untag. */
	private void removeReference(ImageReference reference, Digest id, List<ImageDeleteItem> result) {
		dropReference(reference, id, result);
		// dockerd names an untag by the image, not by the reference it lost
		imageEvent("untag", id);
	}

	private void dropReference(ImageReference reference, Digest id, List<ImageDeleteItem> result) {
		if (reference.digest() != null) {
			ImageRecord record = this.images.get(id);
			String repoDigest = reference.name() + "@" + reference.digest();
			this.images.put(record.withRepoDigests(record.repoDigests().stream().filter((d) -> !d.equals(repoDigest)).toList()));
		}
		else {
			this.images.untag(reference.toString());
		}
		result.add(ImageDeleteItem.untagged(reference.familiarString()));
	}

	/**
	 * Whether removing this name would leave the image unnamed, as dockerd counts it: one tag at most, and the
	 * digest references all of that tag's repository (a pulled image has its tag and its repository digest).
	 */
	private static boolean isSingleReference(List<ImageReference> references) {
		if (references.size() <= 1) {
			return references.size() == 1;
		}
		List<ImageReference> tags = references.stream().filter((r) -> r.digest() == null).toList();
		if (tags.size() > 1) {
			return false;
		}
		Set<String> digestRepositories = new HashSet<>();
		references.stream().filter((r) -> r.digest() != null).forEach((r) -> digestRepositories.add(r.name()));
		String repository = tags.isEmpty() ? references.get(0).name() : tags.get(0).name();
		return digestRepositories.equals(Set.of(repository));
	}

	/** True when the user named the image by (a prefix of) its ID rather than by a reference. */
	private static boolean isIdPrefix(Digest id, String nameOrId) {
		if (!FULL_ID.matcher(nameOrId).matches() && !ID_PREFIX.matcher(nameOrId).matches()) {
			return false;
		}
		return id.hex().startsWith(nameOrId.startsWith("sha256:") ? nameOrId.substring(7) : nameOrId);
	}

	/** Deletes a record and the blobs and layers no other image needs. */
	private List<ImageDeleteItem> delete(ImageRecord record) {
		this.images.delete(record.id());
		Set<Digest> stillUsedBlobs = new HashSet<>();
		Set<Digest> stillUsedChains = new HashSet<>();
		for (ImageRecord other : this.images.list()) {
			stillUsedBlobs.addAll(other.blobs());
			stillUsedChains.addAll(other.chainIds());
		}
		List<ImageDeleteItem> result = new ArrayList<>();
		event("delete", record.id().toString(), record.id().toString(), null);
		result.add(ImageDeleteItem.deleted(record.id().toString()));
		for (Digest blob : record.blobs()) {
			if (!stillUsedBlobs.contains(blob)) {
				this.content.delete(blob);
			}
		}
		List<Digest> chains = record.chainIds();
		for (int i = chains.size() - 1; i >= 0; i--) {
			if (!stillUsedChains.contains(chains.get(i))) {
				result.add(ImageDeleteItem.deletedLayer(chains.get(i).toString()));
			}
		}
		return result;
	}

	/** An archive of images ready to be written; see {@link #save}. */
	@FunctionalInterface
	public interface SaveArchive {

		void writeTo(OutputStream out) throws IOException;

	}

	/**
	 * {@code docker save}: the names are resolved now, so an unknown one fails before the first
	 * byte; the archive is written when asked, streamed, never whole in memory.
	 */
	public SaveArchive save(List<String> names) {
		ImageSave.Plan plan = this.saver.plan(names);
		return (out) -> {
			this.saver.write(plan, out);
			plan.items().forEach((item) -> imageEvent("save", item.record().id()));
		};
	}

	/**
	 * {@code docker load} of a {@code docker save} archive or an OCI image layout, in a tar plain
	 * or compressed. With a platform only its images are loaded; from an OCI index, the one for
	 * {@code platform}, or for this engine's when null. Nothing is kept unless all is valid.
	 */
	public LoadResult load(InputStream archive, Platform platform, ProgressListener progress) throws IOException {
		LoadResult result = adding(() -> this.loader.load(archive, platform, progress));
		result.images().forEach((record) -> imageEvent("load", record.id()));
		return result;
	}

	/** {@code docker import}: a root filesystem tar made into a one-layer image. */
	public ImageRecord importImage(InputStream rootfs, ImportOptions options) throws IOException {
		ImageRecord record = adding(() -> this.importer.importImage(rootfs, options));
		imageEvent("import", record.id());
		return record;
	}

	/**
	 * {@code docker commit}: a container's writable layer (an uncompressed tar with whiteouts) made
	 * into an image on top of its image. Reported as dockerd reports it: the image created, then
	 * its tag; the container's own {@code commit} event is lifecycle-service's to report.
	 */
	public ImageRecord commit(InputStream layer, CommitOptions options) throws IOException {
		ImageRecord record = adding(() -> this.committer.commit(layer, options));
		imageEvent("create", record.id());
		ImageReference reference = ImageWriter.reference(options.repository(), options.tag());
		if (reference != null) {
			event("tag", record.id().toString(), reference.familiarString(), record.id());
		}
		return record;
	}

	/** {@code docker history}: newest step first. */
	public List<HistoryItem> history(String nameOrId) {
		return this.histories.history(resolve(nameOrId));
	}

	/** {@code docker image prune}: filters {@code dangling}, {@code until}, {@code label}, {@code label!}. */
	public PruneReport prune(Map<String, List<String>> filters, ImageUsers users) {
		PruneReport report = deleting(() -> this.pruner.prune(filters, users));
		// after the untag and delete events of each image it removed, as dockerd reports a prune
		this.events.published("prune", "", Map.of("reclaimed", Long.toString(report.spaceReclaimed())));
		return report;
	}

	/** The images part of {@code docker system df}. */
	public DiskUsage diskUsage(ImageUsers users) {
		return this.diskUsage.diskUsage(users);
	}

	/** An event about an image, named by its ID as dockerd names import, load, save and untag. */
	private void imageEvent(String action, Digest id) {
		event(action, id.toString(), id.toString(), id);
	}

	/**
	 * An event as dockerd makes it: the image's labels while it still exists (none after a delete), then its
	 * {@code name}.
	 */
	private void event(String action, String actorId, String name, Digest imageId) {
		Map<String, String> attributes = new HashMap<>();
		ImageRecord record = (imageId != null) ? this.images.get(imageId) : null;
		if (record != null) {
			attributes.putAll(labels(record));
		}
		attributes.put("name", name);
		this.events.published(action, actorId, attributes);
	}

	/** Work that adds blobs: runs beside other such work, never beside a deletion. */
	private <T, E extends Exception> T adding(BlobWork<T, E> work) throws E {
		this.blobs.readLock().lock();
		try {
			return work.run();
		}
		finally {
			this.blobs.readLock().unlock();
		}
	}

	/** Work that deletes blobs: runs alone. */
	private <T, E extends Exception> T deleting(BlobWork<T, E> work) throws E {
		this.blobs.writeLock().lock();
		try {
			return work.run();
		}
		finally {
			this.blobs.writeLock().unlock();
		}
	}

	@FunctionalInterface
	private interface BlobWork<T, E extends Exception> {

		T run() throws E;

	}

	private static String shortOf(String containerId) {
		return containerId.substring(0, Math.min(12, containerId.length()));
	}

}
