package dev.berth.agent.filesystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.berth.agent.NoSuchContainerException;
import dev.berth.agent.snapshot.Snapshotter;
import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.LinuxSyscalls;

/**
 * A container's root filesystem mounted for the agent alone: an overlay of its snapshot, in a
 * mount namespace of one platform thread, so neither the host nor the container sees it and it
 * goes away with the thread, even if the agent dies mid-way. The kernel merges the layers
 * (whiteouts, opaque directories), so what is read is exactly what the container sees of its
 * image and writable layer.
 *
 * <p>A read-only view stacks the writable layer as the top lower layer: it can be mounted while
 * the container runs on that layer (overlayfs warns that changes to a lower layer while mounted
 * are undefined; a read sees the files as they were or as they are, never another container's).
 * A writable view mounts the writable layer itself and is only for a stopped container.
 */
final class SnapshotViews {

	private final Snapshotter snapshotter;

	private final Path mountPoints;

	SnapshotViews(Snapshotter snapshotter, Path mountPoints) {
		this.snapshotter = snapshotter;
		this.mountPoints = mountPoints;
		try {
			Files.createDirectories(mountPoints);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create " + mountPoints, ex);
		}
	}

	/** Work done with a view's root directory open. */
	@FunctionalInterface
	interface ViewWork<T> {

		T run(DirFd root) throws IOException;

	}

	Snapshotter.Layout layout(String key) {
		return this.snapshotter.layout(key).orElseThrow(() -> new NoSuchContainerException(key));
	}

	/** The merged root filesystem, read-only. */
	<T> T readOnly(String key, ViewWork<T> work) throws IOException {
		Snapshotter.Layout layout = layout(key);
		List<String> lowers = new ArrayList<>();
		lowers.add(layout.upper().toString());
		layout.lowers().forEach((lower) -> lowers.add(lower.toString()));
		return mounted("lowerdir=" + String.join(":", lowers), LinuxSyscalls.MS_RDONLY, work);
	}

	/** The image's layers alone, read-only: what the writable layer is compared with. */
	<T> T image(String key, ViewWork<T> work) throws IOException {
		List<String> lowers = new ArrayList<>();
		layout(key).lowers().forEach((lower) -> lowers.add(lower.toString()));
		if (lowers.size() == 1) {
			// overlayfs wants two lower layers when it has no upper one
			lowers.add(this.snapshotter.emptyLayer().toString());
		}
		return mounted("lowerdir=" + String.join(":", lowers), LinuxSyscalls.MS_RDONLY, work);
	}

	/** The merged root filesystem, writable: only while the container does not run. */
	<T> T writable(String key, ViewWork<T> work) throws IOException {
		Snapshotter.Layout layout = layout(key);
		List<String> lowers = layout.lowers().stream().map(Path::toString).toList();
		return mounted("lowerdir=" + String.join(":", lowers) + ",upperdir=" + layout.upper() + ",workdir="
				+ layout.work(), 0, work);
	}

	private <T> T mounted(String options, long flags, ViewWork<T> work) throws IOException {
		Path mountPoint = Files.createTempDirectory(this.mountPoints, "view-");
		CompletableFuture<T> result = new CompletableFuture<>();
		Thread thread = Thread.ofPlatform().name("snapshot-view").start(() -> {
			try {
				// namespaces are per thread: the JVM's other threads keep the host's mounts
				JnaLinuxSyscalls.INSTANCE.unshare(LinuxSyscalls.CLONE_NEWNS);
				// and nothing mounted here propagates back to the host
				JnaLinuxSyscalls.INSTANCE.mount("none", "/", null, LinuxSyscalls.MS_REC | LinuxSyscalls.MS_PRIVATE,
						null);
				// nodev, nosuid: the agent only reads and writes the files, it never runs them
				JnaLinuxSyscalls.INSTANCE.mount("overlay", mountPoint.toString(), "overlay",
						flags | LinuxSyscalls.MS_NODEV | LinuxSyscalls.MS_NOSUID, options);
				try (DirFd root = DirFd.open(mountPoint)) {
					result.complete(work.run(root));
				}
				finally {
					JnaLinuxSyscalls.INSTANCE.umount(mountPoint.toString(), LinuxSyscalls.MNT_DETACH);
				}
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		try {
			thread.join();
			return result.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while the snapshot view was in use", ex);
		}
		catch (ExecutionException ex) {
			throw rethrow(ex.getCause());
		}
		finally {
			// the mount went with the thread's namespace; the empty directory is the host's
			Files.deleteIfExists(mountPoint);
		}
	}

	static IOException rethrow(Throwable cause) {
		if (cause instanceof IOException io) {
			return io;
		}
		if (cause instanceof RuntimeException runtime) {
			throw runtime;
		}
		if (cause instanceof Error error) {
			throw error;
		}
		return new IOException(cause);
	}

}
