package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.berth.runtime.linux.DirFd;

/**
 * What a layer could change about a tree, one line per path and never following a link: type,
 * permission bits, owner, link count, size and content digest, device number, link target,
 * modification time to the nanosecond, and the extended attributes a layer sets. Two equal
 * snapshots are two trees a container could not tell apart.
 */
final class TreeSnapshot {

	static final List<String> XATTRS = List.of("user.note", "security.capability", "trusted.overlay.opaque");

	private TreeSnapshot() {
	}

	/** Every path below {@code root} (and {@code root} itself, as "."), except those under {@code excluded}. */
	static Map<String, String> of(Path root, Path... excluded) {
		Map<String, String> lines = new TreeMap<>();
		try {
			Files.walkFileTree(root, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
					for (Path skip : excluded) {
						if (dir.equals(skip)) {
							return FileVisitResult.SKIP_SUBTREE;
						}
					}
					lines.put(relative(root, dir), describe(dir));
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
					lines.put(relative(root, file), describe(file));
					return FileVisitResult.CONTINUE;
				}

			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return lines;
	}

	/** One path's line. */
	static String describe(Path path) throws IOException {
		Map<String, Object> unix = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
		int mode = (Integer) unix.get("mode");
		StringBuilder line = new StringBuilder();
		line.append(String.format("%06o", mode)).append(' ').append(unix.get("uid")).append(':').append(unix.get("gid"));
		line.append(" nlink=").append(unix.get("nlink"));
		line.append(" mtime=").append(((FileTime) unix.get("lastModifiedTime")).toInstant());
		if (Files.isSymbolicLink(path)) {
			line.append(" -> ").append(Files.readSymbolicLink(path));
		}
		else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
			line.append(" size=").append(unix.get("size")).append(" sha256=").append(sha256(Files.readAllBytes(path)));
		}
		else if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
			line.append(" rdev=").append(unix.get("rdev"));
		}
		try (DirFd parent = DirFd.open(path.toAbsolutePath().getParent())) {
			for (String key : XATTRS) {
				byte[] value = parent.getXattr(path.getFileName().toString(), key);
				if (value != null) {
					line.append(' ').append(key).append('=').append(HexFormat.of().formatHex(value));
				}
			}
		}
		return line.toString();
	}

	static String sha256(byte[] data) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String relative(Path root, Path path) {
		String relative = root.relativize(path).toString();
		return relative.isEmpty() ? "." : relative;
	}

}
