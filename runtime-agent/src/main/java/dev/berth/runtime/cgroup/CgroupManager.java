package dev.berth.runtime.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * The cgroup of one container, in whichever cgroup version the host runs: created and joined by the
 * runtime, limited, frozen, read for stats and removed by the shim. Everything is plain file I/O on
 * the cgroup filesystems.
 * <p>
 * A host whose {@code /sys/fs/cgroup} is a cgroup2 mount gets the v2 implementation. A host that
 * mounts v1 hierarchies, including the hybrid layout where cgroup2 sits at
 * {@code /sys/fs/cgroup/unified}, gets the v1 one: resources live in the v1 controllers there, and
 * the container only joins the unified hierarchy so that it does not stay in the shim's cgroup.
 * <p>
 * Device rules are enforced on v1 only. On v2 they need an eBPF program attached to the cgroup,
 * which Berth does not have yet; {@link #set} accepts the lists every OCI generator emits (deny all,
 * then allow some devices; or allow all) without enforcing the deny, and refuses a list that
 * denies a particular device, since that is a request it would silently ignore.
 * <p>
 * An instance is meant for one container and is safe to use from several threads.
 */
public interface CgroupManager {

	/**
	 * The manager for a container on this host.
	 *
	 * @param cgroupsPath the spec's {@code linux.cgroupsPath}: absolute ({@code /berth/<id>}), or
	 * relative and then placed under {@code /berth}
	 * @throws IllegalArgumentException if the path is empty, has {@code ..} or is a systemd path
	 * ({@code slice:prefix:name}), which is not supported
	 * @throws CgroupException if no cgroup filesystem is mounted
	 */
	static CgroupManager create(String cgroupsPath) {
		CgroupPath path = CgroupPath.parse(cgroupsPath);
		if (Files.exists(CgroupMounts.DEFAULT_ROOT.resolve("cgroup.controllers"))) {
			return new V2Manager(path, CgroupMounts.DEFAULT_ROOT, CgroupFiles.SYSTEM);
		}
		return CgroupMounts.host().manager(path, CgroupFiles.SYSTEM);
	}

	/**
	 * The manager for a container under a cgroup filesystem mounted somewhere else than
	 * {@code /sys/fs/cgroup}: {@code root} is a cgroup2 mount if it has {@code cgroup.controllers},
	 * and otherwise holds one v1 hierarchy per directory, named like the controllers
	 * ({@code memory}, {@code cpu,cpuacct}, {@code systemd} for {@code name=systemd}, and
	 * {@code unified} for a cgroup2 mount).
	 */
	static CgroupManager create(String cgroupsPath, Path root) {
		CgroupPath path = CgroupPath.parse(cgroupsPath);
		if (Files.exists(root.resolve("cgroup.controllers"))) {
			return new V2Manager(path, root, CgroupFiles.SYSTEM);
		}
		return CgroupMounts.fromRoot(root).manager(path, CgroupFiles.SYSTEM);
	}

	/**
	 * Creates the cgroup (in every v1 hierarchy; on v2 enabling the controllers down from the root)
	 * and moves the process into it. Directories that already exist are reused.
	 *
	 * @param pid the process, which moves with all its threads
	 */
	void apply(long pid);

	/**
	 * Creates the cgroup as {@link #apply} does, without moving anyone into it, and says how a
	 * single-threaded process being forked enters it without waiting (see {@link CgroupEntry}).
	 */
	CgroupEntry prepare();

	/**
	 * Writes the limits; {@code null} fields, an empty cpuset and a {@code cpuShares} or
	 * {@code cpuPeriod} of 0 leave the kernel's values. A {@code memoryLimit},
	 * {@code memoryReservation} or {@code memorySwap} of -1, a {@code cpuQuota} of 0 or -1 and a
	 * {@code pidsLimit} of 0 or -1 remove the limit. {@code memorySwap} is memory plus swap, as in
	 * OCI. Nothing is written if a value is invalid.
	 *
	 * @throws IllegalArgumentException if a value is invalid, naming its spec field
	 * @throws CgroupException if the cgroup does not exist, a controller is missing, or the kernel
	 * refuses a value
	 */
	void set(Resources resources);

	/**
	 * Freezes every process of the cgroup, returning once the kernel reports them all frozen.
	 *
	 * @throws CgroupException if they are not frozen within a few seconds (the cgroup is then
	 * thawed again), or the freezer is missing
	 */
	void freeze();

	/**
	 * Lets the processes of a frozen cgroup run again.
	 */
	void thaw();

	/**
	 * Whether the kernel reports the cgroup completely frozen (a freeze in progress is not).
	 */
	boolean isFrozen();

	/**
	 * What the cgroup has used so far; counters of a controller that is not there read as 0.
	 *
	 * @throws CgroupException if the cgroup does not exist
	 */
	CgroupStats stats();

	/**
	 * The processes the kernel's OOM killer killed in this cgroup so far; 0 without a memory
	 * controller.
	 */
	long oomKillCount();

	/**
	 * The processes of the cgroup and of any cgroups below it (a container may create some), to
	 * signal them when the container is killed. Empty once the cgroup is gone.
	 */
	List<Long> pids();

	/**
	 * Removes the cgroup, with any cgroups below it, from every hierarchy, waiting briefly for
	 * killed processes to exit; then removes the parents this manager created (such as
	 * {@code /berth}) if they are left empty. Does nothing for a cgroup that is gone.
	 *
	 * @throws CgroupException if a cgroup still has processes after a few seconds
	 */
	void destroy();

	/**
	 * Whether the cgroup directory exists (in any hierarchy, on v1).
	 */
	boolean exists();

	/**
	 * The cgroup's directory for a controller: on v1 {@code memory}, {@code cpu},
	 * {@code name=systemd}, ... and {@code ""} for the cgroup2 hierarchy of a hybrid host (the names
	 * of {@code /proc/<pid>/cgroup}); on v2 the one directory, whatever the name.
	 *
	 * @throws IllegalArgumentException on v1, if no hierarchy has that controller
	 */
	Path path(String controller);

	/**
	 * The cgroup's directory per controller, named as for {@link #path(String)}; on v2 the one
	 * directory under {@code ""}.
	 */
	Map<String, Path> paths();

}
