package dev.berth.agent.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.berth.runtime.linux.DirFd;

/**
 * The layer between a container's image and its writable layer that holds what every container
 * needs before it starts and its image may lack: the mount points of {@code /proc}, {@code /sys},
 * {@code /dev} and of the files the engine binds in ({@code /etc/hosts}, {@code /etc/hostname},
 * {@code /etc/resolv.conf}), {@code /etc/mtab} and {@code /.dockerenv}, as Docker's {@code -init} layer
 * has them. Made here, they are not the container's changes: {@code docker diff} and
 * {@code docker commit} see only what the container itself did. As in Docker, what the image has
 * already is left as the image has it.
 */
final class InitLayer {

	private static final List<String> DIRECTORIES = List.of("dev", "dev/pts", "dev/shm", "proc", "sys", "etc");

	private static final List<String> FILES = List.of(".dockerenv", "dev/console", "etc/hosts", "etc/hostname",
			"etc/resolv.conf");

	private static final String OPAQUE = "trusted.overlay.opaque";

	private static final int S_IFMT = 0170000;

	private InitLayer() {
	}

	/** @param image the image's unpacked layers, the top one first */
	static void create(Path layer, List<Path> image) throws IOException {
		Files.createDirectory(layer);
		for (String directory : DIRECTORIES) {
			if (!inImage(image, directory)) {
				Files.createDirectories(layer.resolve(directory));
			}
		}
		for (String file : FILES) {
			if (!inImage(image, file)) {
				Files.createDirectories(layer.resolve(file).getParent());
				Files.createFile(layer.resolve(file));
			}
		}
		if (!inImage(image, "etc/mtab")) {
			Files.createDirectories(layer.resolve("etc"));
			// what mount(8) and friends read inside a container, as in Docker's
			Files.createSymbolicLink(layer.resolve("etc/mtab"), Path.of("/proc/mounts"));
		}
	}

	/**
	 * Whether the image shows something at {@code path}, as overlayfs would merge its layers: the
	 * topmost layer that has it, or a whiteout of it, decides; an opaque directory on the way hides
	 * the layers below it. A file or link where a directory of the path would be counts as there:
	 * what the image made of that place is not overridden.
	 */
	static boolean inImage(List<Path> image, String path) throws IOException {
		String[] names = path.split("/");
		for (Path layer : image) {
			Path current = layer;
			boolean hidesBelow = false;
			for (int i = 0; i < names.length; i++) {
				current = current.resolve(names[i]);
				if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
					break;
				}
				if (isWhiteout(current)) {
					return false;
				}
				if (i == names.length - 1 || !Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
					return true;
				}
				hidesBelow |= isOpaque(current);
			}
			if (hidesBelow) {
				return false;
			}
		}
		return false;
	}

	/** overlayfs's whiteout: a character device numbered 0/0. */
	private static boolean isWhiteout(Path path) throws IOException {
		Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
		return (((Integer) attributes.get("mode")) & S_IFMT) == DirFd.S_IFCHR && ((Long) attributes.get("rdev")) == 0;
	}

	private static boolean isOpaque(Path directory) {
		try (DirFd parent = DirFd.open(directory.getParent())) {
			byte[] value = parent.getXattr(directory.getFileName().toString(), OPAQUE);
			return value != null && value.length == 1 && value[0] == 'y';
		}
	}

}
