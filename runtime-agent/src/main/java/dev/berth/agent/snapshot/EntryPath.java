package dev.berth.agent.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tar entry's name (or a hard link's target) as a path below the layer root: leading slashes
 * dropped, empty and {@code .} components skipped, {@code ..} taken back lexically and refused
 * where it would climb above the root. This is Docker's reading of a name (strip the leading
 * {@code /}, clean), with an escape made an error rather than clamped. The kernel never sees a
 * {@code ..} from a layer: each component becomes one name for an {@code *at} call.
 *
 * @param components the names from the root down; empty for the root itself
 */
record EntryPath(List<String> components) {

	/** Linux PATH_MAX counts the terminating NUL: the longest path the kernel takes is 4095 bytes. */
	static final int PATH_MAX = 4096;

	/** Linux NAME_MAX: the longest single component, in bytes. */
	static final int NAME_MAX = 255;

	static final EntryPath ROOT = new EntryPath(List.of());

	EntryPath {
		components = List.copyOf(components);
	}

	/**
	 * Parses {@code name} into a path below the root.
	 * @param entry the entry being unpacked, named by a rejection
	 * @param what what {@code name} is to the entry ("name", "hard link target"), for messages
	 */
	static EntryPath parse(String entry, String name, String what) throws LayerUnpackException {
		checkLength(entry, name, what);
		List<String> parts = new ArrayList<>();
		for (String part : name.split("/")) {
			if (part.isEmpty() || part.equals(".")) {
				continue;
			}
			if (part.equals("..")) {
				if (parts.isEmpty()) {
					throw new LayerUnpackException(entry, what + " \"" + name + "\" climbs above the layer root");
				}
				parts.removeLast();
				continue;
			}
			parts.add(part);
		}
		return new EntryPath(parts);
	}

	/**
	 * Refuses a name the kernel would refuse, with the reason rather than ENAMETOOLONG halfway
	 * through a layer: more than PATH_MAX in all, more than NAME_MAX in one component, or a NUL
	 * (which would cut the name short at the C boundary). Symbolic link targets are paths too.
	 */
	static void checkLength(String entry, String name, String what) throws LayerUnpackException {
		if (name.indexOf('\0') >= 0) {
			throw new LayerUnpackException(entry, what + " contains a NUL byte");
		}
		int bytes = utf8Length(name);
		if (bytes >= PATH_MAX) {
			throw new LayerUnpackException(entry, what + " is " + bytes + " bytes long; PATH_MAX (" + PATH_MAX
					+ " with the terminating NUL) allows " + (PATH_MAX - 1));
		}
		for (String part : name.split("/")) {
			int partBytes = utf8Length(part);
			if (partBytes > NAME_MAX) {
				throw new LayerUnpackException(entry, what + " has a component of " + partBytes
						+ " bytes; NAME_MAX allows " + NAME_MAX);
			}
		}
	}

	boolean isRoot() {
		return this.components.isEmpty();
	}

	/** The last component; the root has none. */
	String name() {
		return this.components.getLast();
	}

	EntryPath parent() {
		return new EntryPath(this.components.subList(0, this.components.size() - 1));
	}

	/** {@code name} in this directory; the caller has checked it is a single component. */
	EntryPath child(String name) {
		List<String> parts = new ArrayList<>(this.components);
		parts.add(name);
		return new EntryPath(parts);
	}

	int depth() {
		return this.components.size();
	}

	/** True if this is {@code other} or lies below it. */
	boolean isWithin(EntryPath other) {
		return this.components.size() >= other.components.size()
				&& this.components.subList(0, other.components.size()).equals(other.components);
	}

	@Override
	public String toString() {
		return isRoot() ? "." : String.join("/", this.components);
	}

	private static int utf8Length(String text) {
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

}
