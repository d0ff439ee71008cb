package dev.berth.runtime.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI {@code linux.cgroupsPath}, checked and made relative to the root of a hierarchy. An
 * absolute path is taken as it is ({@code /berth/abc}); a relative one is placed under
 * {@code /berth}, so that containers never land in the root cgroup or in a host service's cgroup.
 * <p>
 * The systemd form {@code slice:prefix:name} is refused: it only works when systemd creates the
 * cgroup (a transient unit over D-Bus), and a directory made behind systemd's back is one it may
 * remove or reconfigure at any time.
 */
record CgroupPath(String relative) {

	static final String DEFAULT_PARENT = "berth";

	static CgroupPath parse(String cgroupsPath) {
		if (cgroupsPath == null || cgroupsPath.isBlank()) {
			throw new IllegalArgumentException("linux.cgroupsPath: required (like /berth/<id>)");
		}
		if (cgroupsPath.indexOf(':') >= 0) {
			throw new IllegalArgumentException("linux.cgroupsPath \"" + cgroupsPath
					+ "\": systemd paths (slice:prefix:name) need the systemd cgroup driver, which Berth does "
					+ "not have; use a path like /berth/<id>");
		}
		List<String> segments = new ArrayList<>();
		if (!cgroupsPath.startsWith("/")) {
			segments.add(DEFAULT_PARENT);
		}
		for (String segment : cgroupsPath.split("/")) {
			if (segment.isEmpty()) {
				continue;
			}
			if (segment.equals(".") || segment.equals("..") || segment.indexOf('\0') >= 0) {
				throw new IllegalArgumentException(
						"linux.cgroupsPath \"" + cgroupsPath + "\": \"" + segment + "\" is not allowed in a path");
			}
			segments.add(segment);
		}
		if (segments.isEmpty()) {
			throw new IllegalArgumentException(
					"linux.cgroupsPath \"" + cgroupsPath + "\": the root cgroup cannot be given to a container");
		}
		return new CgroupPath(String.join("/", segments));
	}

	Path in(Path root) {
		return root.resolve(this.relative);
	}

	@Override
	public String toString() {
		return "/" + this.relative;
	}

}
