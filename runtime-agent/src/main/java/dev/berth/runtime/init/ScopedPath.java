package dev.berth.runtime.init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a path as seen from inside a root directory: symlinks are followed as the container
 * would follow them, so an absolute link target or a run of {@code ..} stays inside the root
 * instead of reaching the host. This is what stops a hostile image from turning a mount
 * destination like {@code /proc} into a link to the host's {@code /etc}.
 */
public final class ScopedPath {

	private static final int MAX_LINKS = 255;

	private ScopedPath() {
	}

	public static Path resolve(Path root, String unsafePath) {
		Deque<String> pending = new ArrayDeque<>();
		push(pending, unsafePath);
		Deque<String> resolved = new ArrayDeque<>();
		int links = 0;
		while (!pending.isEmpty()) {
			String part = pending.pop();
			if (part.isEmpty() || part.equals(".")) {
				continue;
			}
			if (part.equals("..")) {
				resolved.pollLast();
				continue;
			}
			Path candidate = join(root, resolved).resolve(part);
			if (Files.isSymbolicLink(candidate)) {
				if (++links > MAX_LINKS) {
					throw new IllegalArgumentException("too many levels of symbolic links in " + unsafePath);
				}
				String target;
				try {
					target = Files.readSymbolicLink(candidate).toString();
				}
				catch (IOException ex) {
					throw new IllegalArgumentException("cannot read link " + candidate + ": " + ex.getMessage());
				}
				if (target.startsWith("/")) {
					resolved.clear();
				}
				push(pending, target);
				continue;
			}
			resolved.addLast(part);
		}
		return join(root, resolved);
	}

	private static void push(Deque<String> pending, String path) {
		String[] parts = path.split("/");
		for (int i = parts.length - 1; i >= 0; i--) {
			pending.push(parts[i]);
		}
	}

	private static Path join(Path root, Deque<String> parts) {
		Path path = root;
		for (String part : parts) {
			path = path.resolve(part);
		}
		return path;
	}

}
