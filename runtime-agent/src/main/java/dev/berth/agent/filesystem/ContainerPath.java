package dev.berth.agent.filesystem;

import java.util.ArrayList;
import java.util.List;

/**
 * A path in a container as docker cp names it, read as Docker reads it: joined to {@code /} and
 * cleaned lexically ({@code ..} taken back, never above the root) before any link is looked at,
 * so {@code /a/link/..} is {@code /a}. A trailing {@code /} or {@code /.} asks for what a link
 * at the end leads to; without it a link at the end is the link itself.
 *
 * @param clean the cleaned absolute path
 * @param followLast whether a symbolic link as the last component is followed
 */
record ContainerPath(String clean, boolean followLast) {

	static ContainerPath parse(String path) {
		if (path.isEmpty()) {
			throw new IllegalArgumentException("path cannot be empty");
		}
		if (path.indexOf('\0') >= 0) {
			throw new IllegalArgumentException("path contains a NUL byte");
		}
		List<String> parts = new ArrayList<>();
		for (String part : path.split("/")) {
			if (part.equals("..")) {
				if (!parts.isEmpty()) {
					parts.removeLast();
				}
			}
			else if (!part.isEmpty() && !part.equals(".")) {
				parts.add(part);
			}
		}
		boolean followLast = path.endsWith("/") || path.endsWith("/.") || path.equals(".");
		return new ContainerPath("/" + String.join("/", parts), followLast);
	}

	boolean isRoot() {
		return this.clean.equals("/");
	}

	/** The directory the last component is in; the root is its own. */
	String parent() {
		int slash = this.clean.lastIndexOf('/');
		return (slash <= 0) ? "/" : this.clean.substring(0, slash);
	}

	/** The last component; {@code /} for the root, as Docker's stat names it. */
	String base() {
		return isRoot() ? "/" : this.clean.substring(this.clean.lastIndexOf('/') + 1);
	}

}
