package dev.berth.lifecycle.spec;

import java.util.ArrayDeque;
import java.util.Deque;

/** Paths inside a container: always Linux paths, whatever system the engine runs on. */
final class ContainerPaths {

	private ContainerPaths() {
	}

	/**
	 * Go's {@code path.Clean}: one slash between names, no {@code .}, {@code ..} resolved
	 * lexically (never above the root of an absolute path), no trailing slash.
	 */
	static String clean(String path) {
		boolean absolute = path.startsWith("/");
		Deque<String> names = new ArrayDeque<>();
		for (String name : path.split("/")) {
			if (name.isEmpty() || name.equals(".")) {
				continue;
			}
			if (name.equals("..")) {
				if (!names.isEmpty() && !names.peekLast().equals("..")) {
					names.removeLast();
				}
				else if (!absolute) {
					names.addLast(name);
				}
				continue;
			}
			names.addLast(name);
		}
		String joined = String.join("/", names);
		if (absolute) {
			return "/" + joined;
		}
		return joined.isEmpty() ? "." : joined;
	}

	static boolean isAbsolute(String path) {
		return path.startsWith("/");
	}

}
