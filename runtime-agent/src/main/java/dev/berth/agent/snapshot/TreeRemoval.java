package dev.berth.agent.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;

import dev.berth.runtime.linux.DirFd;

/**
 * Removes a directory tree that untrusted input wrote, without following a symbolic link in it:
 * a partly unpacked layer may hold a link to {@code /} named like any directory. Every step is
 * relative to an open directory ({@link SecureDirectoryStream}, the JDK's openat/unlinkat), so
 * no link is resolved on the way down; a link is removed as itself.
 */
public final class TreeRemoval {

	private TreeRemoval() {
	}

	/**
	 * Removes {@code path} and everything below it; a symbolic link is removed, not its target.
	 * Nothing there is fine. The path's parents are the caller's and are trusted.
	 */
	public static void removeTree(Path path) throws IOException {
		Path absolute = path.toAbsolutePath().normalize();
		Path parent = absolute.getParent();
		if (parent == null) {
			throw new IllegalArgumentException("refusing to remove /");
		}
		removeIn(parent, absolute.getFileName());
	}

	/** Removes {@code name} in {@code directory} and everything below it. */
	static void removeChild(DirFd directory, String name) throws IOException {
		// the /proc/self/fd entry leads to the directory we hold, not to whatever has its path now
		removeIn(directory.procPath(), Path.of(name));
	}

	private static void removeIn(Path directory, Path name) throws IOException {
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
			if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
				throw new IOException("no openat-style directory access on this platform: " + directory);
			}
			remove(secure, name);
		}
		catch (NoSuchFileException ex) {
			// the parent is gone too: nothing to remove
		}
	}

	private static void remove(SecureDirectoryStream<Path> directory, Path name) throws IOException {
		BasicFileAttributes attributes;
		try {
			attributes = directory.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
				.readAttributes();
		}
		catch (NoSuchFileException ex) {
			return;
		}
		if (!attributes.isDirectory()) {
			directory.deleteFile(name);
			return;
		}
		try (SecureDirectoryStream<Path> children = directory.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
			for (Path child : children) {
				remove(children, child.getFileName());
			}
		}
		directory.deleteDirectory(name);
	}

}
