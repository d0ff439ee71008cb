package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import dev.berth.contracts.agent.v1.Mount;
import dev.berth.contracts.digest.Sha256;

/**
 * Container root filesystems from image layers, on this node, under {@code <root>}:
 * <ul>
 * <li>{@code layers/<chain hex>/diff}: one unpacked layer, made once and shared by every image
 * and container whose stack contains it; a layer appears there by one rename, after its diff ID
 * was checked, so a crash never leaves a half layer that looks whole;</li>
 * <li>{@code l/<short id>}: short links to those directories, because overlayfs takes all lower
 * directories in one mount option of at most a page;</li>
 * <li>{@code containers/<key>/{upper,work}}: a container's writable layer.</li>
 * </ul>
 * Missing layers are fetched and unpacked in parallel; stacking them needs no order.
 */
public final class Snapshotter {

	private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

	private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

	/** Layers unpacked at once: each is CPU-bound on decompression. */
	private static final int PARALLEL_UNPACKS = Math.max(2, Runtime.getRuntime().availableProcessors());

	/** The longest option string mount(2) takes: one page. */
	private static final int MAX_MOUNT_DATA = 4095;

	private final Path layers;

	private final Path links;

	private final Path containers;

	private final BlobSource blobs;

	private final LayerUnpacker unpacker;

	private final Trash trash;

	/** One unpack per layer at a time: two containers of one image wait for the same unpack. */
	private final KeyedLocks unpacking = new KeyedLocks();

	public Snapshotter(Path root, BlobSource blobs, LayerUnpacker unpacker, Trash trash) {
		this.trash = trash;
		this.layers = root.resolve("layers");
		this.links = root.resolve("l");
		this.containers = root.resolve("containers");
		this.blobs = blobs;
		this.unpacker = unpacker;
		try {
			Files.createDirectories(this.layers);
			Files.createDirectories(this.links);
			Files.createDirectories(this.containers);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create the snapshot store under " + root, ex);
		}
	}

	/** Progress of one layer, in Docker's words. */
	public record Progress(String id, String status, long current, long total) {
	}

	/**
	 * Makes the container's root filesystem: unpacks missing layers, creates its writable layer and
	 * returns the overlay mount for it. Chain IDs are computed here from the diff IDs, never taken
	 * on trust, since they name directories other images share.
	 */
	public Prepared prepare(String key, List<LayerRef> stack, Consumer<Progress> progress) {
		if (!KEY.matcher(key).matches()) {
			throw new SnapshotException("key: invalid snapshot key \"" + key + "\"");
		}
		for (LayerRef layer : stack) {
			if (!SHA256.matcher(layer.blobDigest()).matches() || !SHA256.matcher(layer.diffId()).matches()) {
				throw new SnapshotException("layers: blob_digest and diff_id must be sha256:<hex>, got " + layer);
			}
		}
		List<String> chainIds = chainIds(stack);
		unpackMissing(stack, chainIds, progress);
		Path container = this.containers.resolve(key);
		try {
			Files.createDirectory(container);
		}
		catch (FileAlreadyExistsException ex) {
			// a container started again stands on the same stack: its snapshot is the one it had
			return existing(key, container, chainIds);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			InitLayer.create(container.resolve("init"),
					chainIds.reversed().stream().map((chainId) -> layerDir(chainId).resolve("diff")).toList());
			Files.createDirectory(container.resolve("upper"));
			Files.createDirectory(container.resolve("work"));
			// which layers this container stands on, so that they are not removed under it
			Files.write(container.resolve("layers"), chainIds);
			return new Prepared(List.of(overlay(chainIds, container)), chainIds);
		}
		catch (IOException | RuntimeException ex) {
			remove(key);
			if (ex instanceof IOException io) {
				throw new UncheckedIOException(io);
			}
			throw (RuntimeException) ex;
		}
	}

	private Prepared existing(String key, Path container, List<String> chainIds) {
		try {
			if (Files.readAllLines(container.resolve("layers")).equals(chainIds)) {
				return new Prepared(List.of(overlay(chainIds, container)), chainIds);
			}
		}
		catch (IOException ex) {
			// a snapshot half made or half removed is not one to hand out
		}
		throw new SnapshotExistsException(key);
	}

	/** What {@link #prepare} made: the rootfs mounts and the chain IDs of the stack. */
	public record Prepared(List<Mount> mounts, List<String> chainIds) {
	}

	/** Deletes a container's writable layer (in the background, {@link Trash}); idempotent. */
	public void remove(String key) {
		if (!KEY.matcher(key).matches()) {
			throw new SnapshotException("key: invalid snapshot key \"" + key + "\"");
		}
		try {
			this.trash.discard(this.containers.resolve(key));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot remove snapshot " + key, ex);
		}
	}

	/**
	 * Deletes unpacked layers by chain ID, except those a container's snapshot stands on; returns
	 * what was removed and what was kept.
	 */
	public Removal removeLayers(List<String> chainIds) {
		List<String> removed = new ArrayList<>();
		List<String> inUse = new ArrayList<>();
		java.util.Set<String> used = layersInUse();
		for (String chainId : chainIds) {
			if (!SHA256.matcher(chainId).matches()) {
				throw new SnapshotException("chain_ids: expected sha256:<hex>, got \"" + chainId + "\"");
			}
			if (used.contains(chainId)) {
				inUse.add(chainId);
				continue;
			}
			this.unpacking.acquire(chainId);
			try {
				Path layer = layerDir(chainId);
				if (Files.isDirectory(layer)) {
					Files.deleteIfExists(this.links.resolve(Files.readString(layer.resolve("link")).strip()));
					TreeRemoval.removeTree(layer);
					removed.add(chainId);
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot remove layer " + chainId, ex);
			}
			finally {
				this.unpacking.release(chainId);
			}
		}
		return new Removal(removed, inUse);
	}

	/** What {@link #removeLayers} did. */
	public record Removal(List<String> removed, List<String> inUse) {
	}

	private java.util.Set<String> layersInUse() {
		java.util.Set<String> used = new java.util.HashSet<>();
		try (java.util.stream.Stream<Path> containers = Files.list(this.containers)) {
			for (Path container : containers.toList()) {
				Path layers = container.resolve("layers");
				if (Files.isRegularFile(layers)) {
					used.addAll(Files.readAllLines(layers));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read the containers' snapshots", ex);
		}
		return used;
	}

	/**
	 * Where a container's snapshot lies, for the filesystem operations that read or write it
	 * without its own mount.
	 * @param upper the writable layer
	 * @param work overlayfs's work directory for {@code upper}
	 * @param lowers the image layers' directories, top first, as overlayfs lists them; an image
	 * without layers has one empty directory
	 * @param layersBytes the unpacked size of the image layers
	 */
	public record Layout(Path upper, Path work, List<Path> lowers, long layersBytes) {
	}

	/** The layout of {@code key}'s snapshot, or empty when this node has none. */
	public java.util.Optional<Layout> layout(String key) {
		if (!KEY.matcher(key).matches()) {
			throw new SnapshotException("key: invalid snapshot key \"" + key + "\"");
		}
		Path container = this.containers.resolve(key);
		try {
			List<String> chainIds = Files.readAllLines(container.resolve("layers"));
			List<Path> lowers = new ArrayList<>();
			initLayer(container).ifPresent(lowers::add);
			long bytes = 0;
			for (String chainId : chainIds.reversed()) {
				// the short links, so that a view stacking the upper directory too fits one page
				lowers.add(this.links.resolve(Files.readString(layerDir(chainId).resolve("link")).strip()));
				bytes += Long.parseLong(Files.readString(layerDir(chainId).resolve("size")).strip());
			}
			if (lowers.isEmpty()) {
				lowers.add(emptyLayer());
			}
			return java.util.Optional.of(new Layout(container.resolve("upper"), container.resolve("work"), lowers, bytes));
		}
		catch (java.nio.file.NoSuchFileException ex) {
			return java.util.Optional.empty();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read snapshot " + key, ex);
		}
	}

	/** An empty directory, for overlay mounts that need one more lower layer than they have. */
	public Path emptyLayer() {
		Path empty = this.layers.resolve("empty");
		try {
			Files.createDirectories(empty);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return empty;
	}

	/** Whether a layer stack up to this chain ID is unpacked here. */
	public boolean hasLayer(String chainId) {
		return Files.isDirectory(layerDir(chainId).resolve("diff"));
	}

	/** The container's init layer; a container made before there were init layers has none. */
	private static java.util.Optional<Path> initLayer(Path container) {
		Path init = container.resolve("init");
		return Files.isDirectory(init) ? java.util.Optional.of(init) : java.util.Optional.empty();
	}

	private Mount overlay(List<String> chainIds, Path container) throws IOException {
		List<String> lower = new ArrayList<>();
		// the init layer sits on top of the image's
		initLayer(container).ifPresent((init) -> lower.add(init.toString()));
		if (chainIds.isEmpty() && lower.isEmpty()) {
			// overlayfs needs a lower directory: an image without layers gets an empty one
			lower.add(emptyLayer().toString());
		}
		for (int i = chainIds.size() - 1; i >= 0; i--) {
			// overlayfs lists the top layer first
			lower.add(this.links.resolve(Files.readString(layerDir(chainIds.get(i)).resolve("link")).strip()).toString());
		}
		String lowerdir = "lowerdir=" + String.join(":", lower);
		List<String> options = List.of(lowerdir, "upperdir=" + container.resolve("upper"),
				"workdir=" + container.resolve("work"));
		if (String.join(",", options).length() > MAX_MOUNT_DATA) {
			throw new SnapshotException("layers: " + chainIds.size() + " layers are more than one overlay mount can stack");
		}
		return Mount.newBuilder().setType("overlay").setSource("overlay").addAllOptions(options).build();
	}

	private void unpackMissing(List<LayerRef> stack, List<String> chainIds, Consumer<Progress> progress) {
		Semaphore slots = new Semaphore(PARALLEL_UNPACKS);
		List<Future<?>> work = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < stack.size(); i++) {
				LayerRef layer = stack.get(i);
				String chainId = chainIds.get(i);
				String id = layer.blobDigest().substring(7, 19);
				if (hasLayer(chainId)) {
					progress.accept(new Progress(id, "Already exists", -1, -1));
					continue;
				}
				work.add(executor.submit(() -> {
					slots.acquireUninterruptibly();
					try {
						unpackOnce(layer, chainId, id, progress);
					}
					finally {
						slots.release();
					}
					return null;
				}));
			}
			for (Future<?> future : work) {
				future.get();
			}
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new SnapshotException(ex.getCause().getMessage(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SnapshotException("interrupted while unpacking layers", ex);
		}
	}

	private void unpackOnce(LayerRef layer, String chainId, String id, Consumer<Progress> progress) {
		this.unpacking.acquire(chainId);
		try {
			if (hasLayer(chainId)) {
				progress.accept(new Progress(id, "Already exists", -1, -1));
				return;
			}
			progress.accept(new Progress(id, "Extracting", 0, layer.size()));
			unpack(layer, chainId);
			progress.accept(new Progress(id, "Pull complete", -1, -1));
		}
		finally {
			this.unpacking.release(chainId);
		}
	}

	/** Unpacks into a private directory, checks both digests, then renames it into place. */
	private void unpack(LayerRef layer, String chainId) {
		Path staging = this.layers.resolve(".staging-" + chainId.substring(7) + "-" + ProcessHandle.current().pid()
				+ "-" + Thread.currentThread().threadId());
		try {
			TreeRemoval.removeTree(staging);
			Files.createDirectories(staging.resolve("diff"));
			UnpackResult result;
			// only the diff ID is checked: the image ID vouches for it, and it covers every byte
			// unpacked; the compressed blob's own digest was checked when engine-service stored it
			try (InputStream blob = this.blobs.open(layer.blobDigest())) {
				result = this.unpacker.unpack(blob, staging.resolve("diff"), hintOf(layer.mediaType()));
			}
			if (!result.diffId().equals(layer.diffId())) {
				throw new SnapshotException("layer " + layer.blobDigest() + " unpacks to " + result.diffId()
						+ ", but the image says " + layer.diffId());
			}
			String link = shortLinkOf(chainId);
			Files.writeString(staging.resolve("link"), link);
			Files.writeString(staging.resolve("diff-id"), result.diffId());
			Files.writeString(staging.resolve("size"), Long.toString(result.uncompressedSize()));
			Path target = layerDir(chainId);
			Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
			Path linkPath = this.links.resolve(link);
			Files.deleteIfExists(linkPath);
			// relative, so the store can be moved as a whole
			Files.createSymbolicLink(linkPath, Path.of("..", "layers", chainId.substring(7), "diff"));
		}
		catch (LayerUnpackException ex) {
			throw new SnapshotException("layer " + layer.blobDigest() + " refused: " + ex.getMessage(), ex);
		}
		catch (AtomicMoveNotSupportedException ex) {
			throw new IllegalStateException("the snapshot store must be on one filesystem", ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot unpack layer " + layer.blobDigest() + ": " + ex.getMessage(), ex);
		}
		finally {
			try {
				TreeRemoval.removeTree(staging);
			}
			catch (IOException ignored) {
				// a leftover staging directory is removed by the next attempt
			}
		}
	}

	private Path layerDir(String chainId) {
		return this.layers.resolve(chainId.substring(7));
	}

	/** Chain ID n is the digest of "chain(n-1) diff(n)"; the first is the first diff ID. */
	static List<String> chainIds(List<LayerRef> stack) {
		List<String> chain = new ArrayList<>();
		String previous = null;
		for (LayerRef layer : stack) {
			previous = (previous == null) ? layer.diffId() : "sha256:" + HexFormat.of()
				.formatHex(Sha256.newDigest().digest((previous + " " + layer.diffId()).getBytes(StandardCharsets.UTF_8)));
			chain.add(previous);
		}
		return chain;
	}

	/** 26 characters from the chain ID: short, unique per layer, the same on every node. */
	private static String shortLinkOf(String chainId) {
		return chainId.substring(7, 33).toUpperCase(Locale.ROOT);
	}

	private static Compression hintOf(String mediaType) {
		if (mediaType == null) {
			return null;
		}
		if (mediaType.endsWith("+zstd")) {
			return Compression.ZSTD;
		}
		if (mediaType.endsWith("gzip")) {
			return Compression.GZIP;
		}
		return mediaType.endsWith(".tar") ? Compression.NONE : null;
	}

}
