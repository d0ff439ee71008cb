package dev.berth.lifecycle.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import tools.jackson.databind.node.ArrayNode;

import dev.berth.lifecycle.spec.UserMounts.MountPoint;

/**
 * The spec's {@code mounts}: Docker's default file systems (/proc, a tmpfs /dev with its pts,
 * shm and mqueue, a read-only /sys and cgroup tree), then the client's mounts, shallowest first.
 * A client's mount replaces the default at the same place, and a client's /dev replaces every
 * default under /dev. The container's /etc/hostname, /etc/hosts and /etc/resolv.conf are not
 * here: the node writes and mounts them (see {@link ContainerFiles}).
 */
final class SpecMounts {

	/** Where a read-only root file system still gets writable file systems: they hold no image data. */
	private static final Set<String> WRITABLE_WITH_READONLY_ROOT = Set.of("/proc", "/dev/pts", "/dev/shm",
			"/dev/mqueue", "/dev");

	private SpecMounts() {
	}

	/**
	 * @param shmSize bytes of /dev/shm
	 * @param shm false when {@code IpcMode} is {@code none}: no /dev/shm at all
	 * @param writableCgroups a writable cgroup tree (privileged containers, {@code writable-cgroups})
	 */
	static ArrayNode of(List<MountPoint> userMounts, long shmSize, boolean shm, boolean readonlyRoot,
			boolean privileged, boolean writableCgroups) {
		Set<String> userDestinations = userMounts.stream().map(MountPoint::destination).collect(Collectors.toSet());
		boolean userDev = userDestinations.contains("/dev");
		List<MountPoint> mounts = new ArrayList<>();
		for (MountPoint mount : defaults(shmSize)) {
			boolean replaced = userDestinations.contains(mount.destination())
					|| (userDev && mount.destination().startsWith("/dev/"));
			boolean noShm = !shm && mount.destination().equals("/dev/shm");
			if (replaced || noShm) {
				continue;
			}
			List<String> options = new ArrayList<>(mount.options());
			if (readonlyRoot && !WRITABLE_WITH_READONLY_ROOT.contains(mount.destination()) && !options.contains("ro")) {
				options.add("ro");
			}
			// a privileged container may write to /sys (and, by default, to its cgroups)
			if ((privileged && mount.destination().equals("/sys"))
					|| (writableCgroups && mount.type().equals("cgroup"))) {
				options.remove("ro");
			}
			mounts.add(new MountPoint(mount.destination(), mount.type(), mount.source(), options));
		}
		mounts.addAll(userMounts);
		ArrayNode spec = SpecJson.object().arrayNode();
		for (MountPoint mount : mounts) {
			spec.addObject()
				.put("destination", mount.destination())
				.put("type", mount.type())
				.put("source", mount.source())
				.set("options", SpecJson.strings(mount.options()));
		}
		return spec;
	}

	private static List<MountPoint> defaults(long shmSize) {
		return List.of(new MountPoint("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
				new MountPoint("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
				new MountPoint("/dev/pts", "devpts", "devpts",
						List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
				new MountPoint("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
				new MountPoint("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")),
				new MountPoint("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
				new MountPoint("/dev/shm", "tmpfs", "shm",
						List.of("nosuid", "noexec", "nodev", "mode=1777", "size=" + shmSize)));
	}

}
