package dev.berth.runtime.init;

import static dev.berth.runtime.linux.LinuxSyscalls.MNT_DETACH;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_BIND;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NODEV;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NOEXEC;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NOSUID;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_RDONLY;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_REC;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_REMOUNT;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_SLAVE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.RuntimeSpec.Device;
import dev.berth.runtime.spec.RuntimeSpec.Mount;

/**
 * Lays out a container's filesystem in the init's private mount namespace: the rootfs, the spec's
 * mounts, {@code /dev}, masked and read-only paths, then {@code pivot_root}. Every destination is
 * resolved inside the rootfs ({@link ScopedPath}), so an image's symlinks cannot aim a mount at the
 * host.
 */
final class RootfsSetup {

	private static final int S_IFCHR = 0020000;

	private static final int S_IFBLK = 0060000;

	private static final int S_IFIFO = 0010000;

	/** The devices every container gets, as Docker and runc create them. */
	static final List<Device> DEFAULT_DEVICES = List.of(new Device("c", "/dev/null", 1, 3, 0666L, 0L, 0L),
			new Device("c", "/dev/zero", 1, 5, 0666L, 0L, 0L), new Device("c", "/dev/full", 1, 7, 0666L, 0L, 0L),
			new Device("c", "/dev/random", 1, 8, 0666L, 0L, 0L), new Device("c", "/dev/urandom", 1, 9, 0666L, 0L, 0L),
			new Device("c", "/dev/tty", 5, 0, 0666L, 0L, 0L));

	private final LinuxSyscalls sys;

	private final RuntimeSpec spec;

	private final Path rootfs;

	private final Path hostCgroupRoot;

	private final Path ownCgroups;

	/**
	 * @param hostCgroupRoot where the host's cgroup hierarchies are mounted ({@code /sys/fs/cgroup}), or null
	 * @param ownCgroups the init's own cgroup membership ({@code /proc/self/cgroup}): the container's cgroups
	 */
	RootfsSetup(LinuxSyscalls sys, RuntimeSpec spec, Path rootfs, Path hostCgroupRoot, Path ownCgroups) {
		this.sys = sys;
		this.spec = spec;
		this.rootfs = rootfs;
		this.hostCgroupRoot = hostCgroupRoot;
		this.ownCgroups = ownCgroups;
	}

	/** Makes the rootfs a mount point of our own namespace, cut off from the host's events. */
	void prepareRoot() {
		String propagation = this.spec.linux().rootfsPropagation();
		// slave by default: the host's later mounts may reach us, ours never reach the host
		long mode = propagation.isEmpty() ? (MS_SLAVE | MS_REC) : MountOptions.propagation(propagation);
		this.sys.mount(null, "/", null, mode, null);
		// pivot_root wants the new root to be a mount point; a bind of the directory on itself is one
		this.sys.mount(this.rootfs.toString(), this.rootfs.toString(), "bind", MS_BIND | MS_REC, null);
	}

	void mountAll() {
		for (Mount mount : this.spec.mounts()) {
			mount(mount);
		}
	}

	private void mount(Mount mount) {
		if (!mount.destination().startsWith("/")) {
			throw new IllegalArgumentException("mounts: destination must be absolute, got \"" + mount.destination() + "\"");
		}
		MountOptions options = MountOptions.parse(mount.options());
		boolean bind = options.isBind() || mount.type().equals("bind");
		Path target = ScopedPath.resolve(this.rootfs, mount.destination());
		if (bind) {
			bindMount(mount, options, target);
		}
		else if (mount.type().equals("cgroup")) {
			mountCgroups(options, target);
		}
		else {
			createDirectory(target);
			this.sys.mount(mount.source().isEmpty() ? mount.type() : mount.source(), target.toString(), mount.type(),
					options.flags(), options.data());
		}
		if (options.propagation() != 0) {
			this.sys.mount(null, target.toString(), null, options.propagation(), null);
		}
	}

	private void bindMount(Mount mount, MountOptions options, Path target) {
		Path source = Path.of(mount.source()).toAbsolutePath();
		if (!Files.exists(source)) {
			throw new IllegalArgumentException("mounts: bind source " + source + " does not exist");
		}
		if (Files.isDirectory(source)) {
			createDirectory(target);
		}
		else {
			createFile(target);
		}
		long flags = MS_BIND | (options.flags() & MS_REC);
		this.sys.mount(source.toString(), target.toString(), "bind", flags, null);
		// a bind takes the flags of its source; read-only and friends need a second, remount call
		long extra = options.flags() & ~(MS_BIND | MS_REC);
		if (extra != 0) {
			this.sys.mount(null, target.toString(), null, MS_BIND | MS_REMOUNT | extra, null);
		}
	}

	/**
	 * cgroup v1: a tmpfs with one directory per host hierarchy showing the container's own cgroup as
	 * its root, as Docker's containers see theirs: in a cgroup namespace of its own a fresh cgroup mount
	 * does that; in the host's (Docker's default on v1) the container's cgroup directory is bound
	 * there, so the container sees its own limits and never the host's other cgroups. cgroup v2: one
	 * cgroup2.
	 */
	private void mountCgroups(MountOptions options, Path target) {
		createDirectory(target);
		long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (options.flags() & MS_RDONLY);
		V1Hierarchies host = v1Hierarchies();
		if (host.names().isEmpty()) {
			this.sys.mount("cgroup2", target.toString(), "cgroup2", flags, null);
			return;
		}
		boolean ownNamespace = this.spec.linux().namespace("cgroup") != null;
		Map<String, String> ownPaths = ownNamespace ? Map.of() : ownCgroupPaths();
		this.sys.mount("tmpfs", target.toString(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
		for (String hierarchy : host.names()) {
			Path dir = target.resolve(hierarchy);
			createDirectory(dir);
			// the kernel names the systemd hierarchy by its name= option, the others by their controllers
			String name = hierarchy.equals("systemd") ? "name=systemd" : hierarchy;
			if (ownNamespace) {
				this.sys.mount("cgroup", dir.toString(), "cgroup", flags, name.startsWith("name=") ? "none," + name : name);
				continue;
			}
			String own = ownPaths.get(name);
			if (own == null) {
				throw new IllegalStateException("the container's init is in no cgroup of the " + name + " hierarchy");
			}
			Path source = this.hostCgroupRoot.resolve(hierarchy).resolve(own.substring(1));
			// the container's own cgroup only, as runc binds it: the rest of the host's tree stays out of sight
			this.sys.mount(source.toString(), dir.toString(), "bind", MS_BIND, null);
			// a bind mount takes its flags (read-only, nosuid…) only from a remount
			this.sys.mount(null, dir.toString(), null, MS_BIND | MS_REMOUNT | flags, null);
		}
		// the host's names for combined hierarchies (cpu and cpuacct for cpu,cpuacct), as Docker's containers have them
		host.aliases().forEach((alias, hierarchy) -> {
			try {
				Files.createSymbolicLink(target.resolve(alias), Path.of(hierarchy));
			}
			catch (IOException ex) {
				throw new UncheckedIOException("symlink " + target.resolve(alias), ex);
			}
		});
		if ((options.flags() & MS_RDONLY) != 0) {
			this.sys.mount(null, target.toString(), null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
					null);
		}
	}

	/**
	 * The host's cgroup v1 hierarchies, by their directory names ({@code memory}, {@code systemd}…), and its
	 * symbolic links to them ({@code cpu} → {@code cpu,cpuacct}), from one listing of the host's cgroup root.
	 */
	private record V1Hierarchies(List<String> names, Map<String, String> aliases) {
	}

	private V1Hierarchies v1Hierarchies() {
		List<String> names = new ArrayList<>();
		Map<String, String> aliases = new java.util.TreeMap<>();
		if (this.hostCgroupRoot == null || Files.exists(this.hostCgroupRoot.resolve("cgroup.controllers"))) {
			return new V1Hierarchies(names, aliases);
		}
		Map<String, String> links = new HashMap<>();
		try (var entries = Files.list(this.hostCgroupRoot)) {
			for (Path entry : entries.sorted().toList()) {
				String name = entry.getFileName().toString();
				if (Files.isSymbolicLink(entry)) {
					links.put(name, Files.readSymbolicLink(entry).toString());
				}
				else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) && !name.equals("unified")
						&& Files.exists(entry.resolve("cgroup.procs"))) {
					names.add(name);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		links.forEach((alias, hierarchy) -> {
			if (names.contains(hierarchy)) {
				aliases.put(alias, hierarchy);
			}
		});
		return new V1Hierarchies(names, aliases);
	}

	/**
	 * The init's cgroup in each v1 hierarchy, keyed as {@code /proc/self/cgroup} names them
	 * ({@code memory}, {@code cpu,cpuacct}, {@code name=systemd}): its lines are {@code id:controllers:path}.
	 */
	private Map<String, String> ownCgroupPaths() {
		Map<String, String> paths = new HashMap<>();
		try {
			for (String line : Files.readAllLines(this.ownCgroups)) {
				String[] fields = line.split(":", 3);
				if (fields.length == 3 && !fields[1].isEmpty()) {
					paths.put(fields[1], fields[2]);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return paths;
	}

	/** Creates the standard devices and the spec's, when {@code /dev} is a fresh tmpfs. */
	void createDevices() {
		boolean ownDev = this.spec.mounts().stream()
			.anyMatch((m) -> m.destination().equals("/dev") && !MountOptions.parse(m.options()).isBind()
					&& !m.type().equals("bind"));
		if (!ownDev) {
			return;
		}
		int oldMask = dev.berth.runtime.linux.Kernel.umask(0);
		try {
			List<Device> devices = new ArrayList<>(DEFAULT_DEVICES);
			for (Device device : this.spec.linux().devices()) {
				devices.removeIf((d) -> d.path().equals(device.path()));
				devices.add(device);
			}
			for (Device device : devices) {
				createDevice(device);
			}
			link("/proc/self/fd", "/dev/fd");
			link("/proc/self/fd/0", "/dev/stdin");
			link("/proc/self/fd/1", "/dev/stdout");
			link("/proc/self/fd/2", "/dev/stderr");
			link("pts/ptmx", "/dev/ptmx");
			if (Files.exists(Path.of("/proc/kcore"))) {
				link("/proc/kcore", "/dev/core");
			}
		}
		finally {
			dev.berth.runtime.linux.Kernel.umask(oldMask);
		}
	}

	private void createDevice(Device device) {
		Path path = ScopedPath.resolve(this.rootfs, device.path());
		createDirectory(path.getParent());
		int type = switch (device.type()) {
			case "b" -> S_IFBLK;
			case "p" -> S_IFIFO;
			default -> S_IFCHR;
		};
		int mode = (device.fileMode() != null) ? device.fileMode().intValue() & 07777 : 0666;
		deleteIfPresent(path);
		this.sys.mknod(path.toString(), type | mode, LinuxSyscalls.makedev(device.major(), device.minor()));
		long uid = (device.uid() != null) ? device.uid() : 0;
		long gid = (device.gid() != null) ? device.gid() : 0;
		if (uid != 0 || gid != 0) {
			this.sys.lchown(path.toString(), uid, gid);
		}
	}

	/** Hides each masked path: /dev/null over a file, an empty read-only tmpfs over a directory. */
	void maskPaths() {
		for (String masked : this.spec.linux().maskedPaths()) {
			Path path = ScopedPath.resolve(this.rootfs, masked);
			if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
				continue;
			}
			if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
				this.sys.mount("tmpfs", path.toString(), "tmpfs", MS_RDONLY, null);
			}
			else {
				this.sys.mount("/dev/null", path.toString(), "bind", MS_BIND, null);
			}
		}
	}

	/** Re-mounts each read-only path on itself, read-only. */
	void readonlyPaths() {
		for (String readonly : this.spec.linux().readonlyPaths()) {
			Path path = ScopedPath.resolve(this.rootfs, readonly);
			if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
				continue;
			}
			this.sys.mount(path.toString(), path.toString(), "bind", MS_BIND | MS_REC, null);
			this.sys.mount(null, path.toString(), null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | MS_NOSUID
					| MS_NODEV | MS_NOEXEC, null);
		}
	}

	/** Writes the spec's sysctls through the container's own /proc/sys. */
	void applySysctls() {
		this.spec.linux().sysctl().forEach((key, value) -> {
			Path file = ScopedPath.resolve(this.rootfs, "/proc/sys/" + key.replace('.', '/'));
			try {
				Files.writeString(file, value);
			}
			catch (IOException ex) {
				throw new IllegalArgumentException("linux.sysctl: cannot set " + key + "=" + value + ": " + ex.getMessage());
			}
		});
	}

	/**
	 * Swaps the root: {@code pivot_root(".", ".")} stacks the old root on top of the new one, then
	 * a lazy unmount drops it, so no path to the host's filesystem is left in this namespace.
	 */
	void pivotRoot() {
		this.sys.chdir(this.rootfs.toString());
		this.sys.pivotRoot(".", ".");
		// the old root is now mounted on ".": make it a slave so our unmount does not reach the host
		this.sys.mount(null, ".", null, MS_SLAVE | MS_REC, null);
		this.sys.umount(".", MNT_DETACH);
		this.sys.chdir("/");
	}

	/** With {@code root.readonly}: the root itself becomes read-only, mounts on it keep their own mode. */
	void finishRoot() {
		if (this.spec.root().readonly()) {
			this.sys.mount(null, "/", null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
		}
	}

	private void link(String target, String name) {
		Path path = ScopedPath.resolve(this.rootfs, name);
		try {
			deleteIfPresent(path);
			Files.createSymbolicLink(path, Path.of(target));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("symlink " + name + " -> " + target, ex);
		}
	}

	private static void deleteIfPresent(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("remove " + path, ex);
		}
	}

	private static void createDirectory(Path path) {
		try {
			Files.createDirectories(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("mkdir " + path, ex);
		}
	}

	private static void createFile(Path path) {
		createDirectory(path.getParent());
		try {
			if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
				Files.createFile(path);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("create " + path, ex);
		}
	}

}
