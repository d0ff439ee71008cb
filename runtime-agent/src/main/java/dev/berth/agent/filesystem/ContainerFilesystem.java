package dev.berth.agent.filesystem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.stereotype.Component;

import dev.berth.agent.AgentProperties;
import dev.berth.agent.snapshot.ExtractOptions;
import dev.berth.agent.snapshot.LayerUnpackException;
import dev.berth.agent.snapshot.LayerUnpacker;
import dev.berth.agent.snapshot.Snapshotter;
import dev.berth.agent.user.ProcessUsers;
import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.linux.FileStat;
import dev.berth.runtime.shim.ShimClient;
import dev.berth.runtime.shim.ShimException;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;

/**
 * The container filesystem operations of {@code docker cp}, {@code diff}, {@code export},
 * {@code commit} and {@code ps -s}, on this node's snapshots. Reads go through a private
 * read-only overlay of the snapshot ({@link SnapshotViews}); writes go through the running
 * container's own root ({@code /proc/<pid>/root}), so it sees them at once, or, when it does not
 * run, through a private writable overlay, so the kernel copies up and whites out as it would for
 * the container. Every path is resolved inside the root ({@link ResolvedPath}); every tree is
 * walked and written from open directories without following links.
 */
@Component
public class ContainerFilesystem {

	private final SnapshotViews views;

	private final ShimClient shim;

	private final LayerUnpacker unpacker = new LayerUnpacker();

	private final Snapshotter snapshotter;

	public ContainerFilesystem(Snapshotter snapshotter, AgentProperties properties, ShimClient shim) {
		this.snapshotter = snapshotter;
		this.views = new SnapshotViews(snapshotter, properties.snapshots().resolve("views"));
		this.shim = shim;
	}

	/** A path's stat as docker cp's header carries it. */
	public record PathStat(String name, long size, int mode, java.time.Instant modified, String linkTarget) {
	}

	/** {@code HEAD /containers/{id}/archive}. */
	public PathStat stat(String key, String path) throws IOException {
		ContainerPath parsed = ContainerPath.parse(path);
		return this.views.readOnly(key, (root) -> {
			try (ResolvedPath found = ResolvedPath.find(root, parsed, key)) {
				return pathStat(root, parsed, found.stat());
			}
		});
	}

	/**
	 * {@code GET /containers/{id}/archive}: the stat to {@code onStat}, then the tar of the path
	 * to {@code out}, its entries named after the path's base name as Docker names them.
	 */
	public void readArchive(String key, String path, Consumer<PathStat> onStat, OutputStream out) throws IOException {
		ContainerPath parsed = ContainerPath.parse(path);
		this.views.readOnly(key, (root) -> {
			try (ResolvedPath found = ResolvedPath.find(root, parsed, key);
					TreeArchive archive = new TreeArchive(out, TreeArchive.Mode.FILES)) {
				onStat.accept(pathStat(root, parsed, found.stat()));
				String entryName = path.endsWith("/.") ? "." : parsed.isRoot() ? "." : parsed.base();
				archive.add(found.directory(), found.name(), found.stat(), entryName);
			}
			return null;
		});
	}

	/**
	 * {@code PUT /containers/{id}/archive}: extracts {@code tar} into the directory at
	 * {@code path}. The archive may be compressed, as Docker accepts it.
	 */
	public void writeArchive(String key, String path, boolean noOverwriteDirNonDir, boolean copyUidGid, String user,
			InputStream tar) throws IOException {
		ContainerPath parsed = ContainerPath.parse(path);
		SnapshotViews.ViewWork<Void> extract = (root) -> {
			try (ResolvedPath found = ResolvedPath.find(root, parsed, key)) {
				if (!found.stat().isDirectory()) {
					throw new IllegalArgumentException("extraction point is not a directory");
				}
				ExtractOptions.Owner owner = copyUidGid ? owner(root, user) : null;
				try (DirFd target = found.name().equals(".") ? found.directory().duplicate()
						: found.directory().openDirectory(found.name())) {
					this.unpacker.extract(tar, target, new ExtractOptions(noOverwriteDirNonDir, owner));
				}
				catch (LayerUnpackException ex) {
					throw new IllegalArgumentException(ex.getMessage(), ex);
				}
			}
			return null;
		};
		Optional<Long> pid = runningPid(key);
		if (pid.isEmpty()) {
			this.views.writable(key, extract);
			return;
		}
		try (DirFd root = DirFd.openRootOf(pid.get())) {
			// the pid could have been another process's by now: it is the container's root only if
			// the container still runs with it after the open
			if (!runningPid(key).equals(pid)) {
				throw new IllegalStateException("container " + key + " stopped while its files were being written");
			}
			extract.run(root);
		}
	}

	/** {@code docker export}: the whole merged root filesystem. */
	public void export(String key, OutputStream out) throws IOException {
		this.views.readOnly(key, (root) -> {
			try (TreeArchive archive = new TreeArchive(out, TreeArchive.Mode.FILES)) {
				archive.addChildren(root, "");
			}
			return null;
		});
	}

	/** {@code docker diff}. */
	public List<SnapshotChanges.Change> changes(String key) throws IOException {
		Snapshotter.Layout layout = this.views.layout(key);
		return this.views.image(key, (image) -> {
			try (DirFd upper = DirFd.open(layout.upper())) {
				return SnapshotChanges.of(upper, image);
			}
		});
	}

	/** {@code docker commit}: the writable layer as an image layer tar. */
	public void diffLayer(String key, OutputStream out) throws IOException {
		Snapshotter.Layout layout = this.views.layout(key);
		try (DirFd upper = DirFd.open(layout.upper()); TreeArchive archive = new TreeArchive(out, TreeArchive.Mode.LAYER)) {
			archive.addChildren(upper, "");
		}
	}

	/** What a snapshot takes on disk. */
	public record Usage(String key, long sizeRw, long sizeRootFs) {
	}

	/** {@code SizeRw} and {@code SizeRootFs} of each snapshot this node has. */
	public List<Usage> usage(List<String> keys) throws IOException {
		List<Usage> usages = new ArrayList<>();
		for (String key : keys) {
			Optional<Snapshotter.Layout> layout = this.snapshotter.layout(key);
			if (layout.isEmpty()) {
				continue;
			}
			long sizeRw;
			try (DirFd upper = DirFd.open(layout.get().upper())) {
				sizeRw = bytes(upper, new HashSet<>());
			}
			usages.add(new Usage(key, sizeRw, sizeRw + layout.get().layersBytes()));
		}
		return usages;
	}

	/** The bytes of the regular files below {@code directory}, each inode once, as Docker counts. */
	private static long bytes(DirFd directory, Set<List<Long>> seen) throws IOException {
		long total = 0;
		for (String name : TreeArchive.children(directory)) {
			FileStat stat = directory.stat(name);
			if (stat == null) {
				continue;
			}
			if (stat.isDirectory()) {
				try (DirFd child = directory.openDirectory(name)) {
					total += bytes(child, seen);
				}
			}
			else if (stat.links() == 1 || seen.add(List.of(stat.device(), stat.inode()))) {
				total += stat.size();
			}
		}
		return total;
	}

	private static PathStat pathStat(DirFd root, ContainerPath path, FileStat stat) {
		String linkTarget = stat.isSymbolicLink() ? ResolvedPath.linkTarget(root, path) : "";
		return new PathStat(path.base(), stat.size(), stat.mode(), stat.modified(), linkTarget);
	}

	/** docker cp -a: the container user's uid and gid, from the container's own passwd and group files. */
	private static ExtractOptions.Owner owner(DirFd root, String user) {
		var resolved = ProcessUsers.resolve(root, (user != null) ? user : "");
		return new ExtractOptions.Owner(resolved.uid(), resolved.gid());
	}

	/** The pid of the container's init while it runs (or is paused), else empty. */
	private Optional<Long> runningPid(String key) {
		JsonObject state;
		try {
			state = this.shim.callForObject(Json.obj("op", "state", "id", key, "execId", ""));
		}
		catch (ShimException ex) {
			if (ex.kind() == ShimException.Kind.NOT_FOUND) {
				return Optional.empty();
			}
			throw ex;
		}
		String status = state.string("status", "");
		long pid = state.integer("pid", 0);
		return ((status.equals("running") || status.equals("paused")) && pid > 0) ? Optional.of(pid) : Optional.empty();
	}

}
