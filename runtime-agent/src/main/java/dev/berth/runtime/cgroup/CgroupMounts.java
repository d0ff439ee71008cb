package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where the cgroup hierarchies are mounted: per v1 controller (or {@code name=} hierarchy) the mount
 * point, and the cgroup2 mount, if any, under the key {@code ""} (as in {@code /proc/self/cgroup}).
 */
record CgroupMounts(Map<String, Path> hierarchies) {

	static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");

	static final String UNIFIED = "";

	/** The v1 controllers of Linux; mount options that are none of these are not controllers. */
	static final Set<String> V1_CONTROLLERS = Set.of("blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer",
			"hugetlb", "memory", "misc", "net_cls", "net_prio", "perf_event", "pids", "rdma");

	/** This host's hierarchies once read; see {@link #host()}. */
	private static volatile CgroupMounts host;

	/**
	 * This host's hierarchies, read from {@code /proc/self/mountinfo} once per process: the cgroup
	 * filesystems are mounted at boot and stay where they are, as runc assumes too. Reading them for
	 * every container operation cost the shim a parse of the whole mount table, which every
	 * container's root filesystem makes longer.
	 */
	static CgroupMounts host() {
		CgroupMounts mounts = host;
		if (mounts == null) {
			mounts = fromMountinfo(readMountinfo());
			host = mounts;
		}
		return mounts;
	}

	static String readMountinfo() {
		Path mountinfo = Path.of("/proc/self/mountinfo");
		try {
			return Files.readString(mountinfo);
		}
		catch (IOException ex) {
			throw CgroupException.cannotRead(mountinfo, ex);
		}
	}

	/**
	 * The hierarchies in a {@code /proc/self/mountinfo}; the first mount of a hierarchy wins.
	 */
	static CgroupMounts fromMountinfo(String mountinfo) {
		Map<String, Path> hierarchies = new LinkedHashMap<>();
		for (String line : mountinfo.split("\n")) {
			// id parent dev root mountpoint options [optional...] - fstype source superoptions
			String[] fields = line.split(" ");
			int separator = indexOf(fields, "-");
			if (separator < 5 || fields.length < separator + 4) {
				continue;
			}
			String type = fields[separator + 1];
			Path mountPoint = Path.of(unescape(fields[4]));
			if (type.equals("cgroup2")) {
				hierarchies.putIfAbsent(UNIFIED, mountPoint);
			}
			else if (type.equals("cgroup")) {
				for (String option : fields[separator + 3].split(",")) {
					if (V1_CONTROLLERS.contains(option) || option.startsWith("name=")) {
						hierarchies.putIfAbsent(option, mountPoint);
					}
				}
			}
		}
		return new CgroupMounts(hierarchies);
	}

	/**
	 * The v1 hierarchies under a directory laid out like {@code /sys/fs/cgroup}: a directory per
	 * hierarchy, named after its controllers, joined by commas when they share one.
	 */
	static CgroupMounts fromRoot(Path root) {
		Map<String, Path> hierarchies = new LinkedHashMap<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
			for (Path entry : entries) {
				// cpu -> cpu,cpuacct links name a hierarchy again
				if (Files.isSymbolicLink(entry) || !Files.isDirectory(entry)) {
					continue;
				}
				String name = entry.getFileName().toString();
				if (name.equals("unified") && Files.exists(entry.resolve("cgroup.controllers"))) {
					hierarchies.put(UNIFIED, entry);
				}
				else if (name.equals("systemd")) {
					hierarchies.put("name=systemd", entry);
				}
				else {
					for (String controller : name.split(",")) {
						hierarchies.put(controller, entry);
					}
				}
			}
		}
		catch (IOException ex) {
			throw CgroupException.cannot("list", root, ex);
		}
		return new CgroupMounts(hierarchies);
	}

	/**
	 * A manager for these mounts: v1 if any v1 hierarchy is mounted, v2 on a cgroup2 mount alone.
	 */
	CgroupManager manager(CgroupPath path, CgroupFiles files) {
		if (this.hierarchies.keySet().stream().anyMatch((key) -> !key.equals(UNIFIED))) {
			return new V1Manager(path, this.hierarchies, files);
		}
		if (this.hierarchies.containsKey(UNIFIED)) {
			return new V2Manager(path, this.hierarchies.get(UNIFIED), files);
		}
		throw new CgroupException("no cgroup filesystem is mounted", null);
	}

	private static int indexOf(String[] fields, String value) {
		for (int i = 0; i < fields.length; i++) {
			if (fields[i].equals(value)) {
				return i;
			}
		}
		return -1;
	}

	/** Mount points in mountinfo have space, tab, newline and backslash as octal escapes. */
	private static String unescape(String field) {
		if (field.indexOf('\\') < 0) {
			return field;
		}
		StringBuilder result = new StringBuilder();
		for (int i = 0; i < field.length(); i++) {
			char c = field.charAt(i);
			if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
				result.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
				i += 3;
			}
			else {
				result.append(c);
			}
		}
		return result.toString();
	}

}
