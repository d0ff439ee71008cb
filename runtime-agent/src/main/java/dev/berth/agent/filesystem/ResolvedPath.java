package dev.berth.agent.filesystem;

import java.nio.file.Path;

import dev.berth.runtime.init.ScopedPath;
import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.linux.FileStat;

/**
 * A container path found in a root directory: the directory that holds it, open, and its name
 * there. The directory is reached with openat2's RESOLVE_IN_ROOT, so whatever links the
 * container made (to {@code /}, with {@code ..}, absolute ones) the walk never leaves the root,
 * even when the container changes them meanwhile; everything after works from that descriptor.
 *
 * @param directory holds the entry; the caller closes it (through this)
 * @param name the entry in it, {@code .} for the directory itself
 * @param stat what the entry is
 */
record ResolvedPath(DirFd directory, String name, FileStat stat) implements AutoCloseable {

	/**
	 * Finds {@code path} under {@code root}.
	 * @param container names the container in Docker's not-found message
	 */
	static ResolvedPath find(DirFd root, ContainerPath path, String container) {
		boolean self = path.isRoot() || path.followLast();
		DirFd directory;
		try {
			directory = root.openDirectoryInRoot(self ? path.clean() : path.parent());
		}
		catch (RuntimeException ex) {
			throw new NoSuchPathException(path.clean(), container);
		}
		String name = self ? "." : path.base();
		FileStat stat = directory.stat(self ? "" : name);
		if (stat == null) {
			directory.close();
			throw new NoSuchPathException(path.clean(), container);
		}
		return new ResolvedPath(directory, name, stat);
	}

	/**
	 * Where a symbolic link leads inside the root, as an absolute container path (Docker's
	 * {@code linkTarget}); only reported, never opened.
	 */
	static String linkTarget(DirFd root, ContainerPath path) {
		Path base = root.procPath();
		return "/" + base.relativize(ScopedPath.resolve(base, path.clean()));
	}

	@Override
	public void close() {
		this.directory.close();
	}

}
