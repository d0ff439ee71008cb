package dev.berth.runtime.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * A cgroup in the v1 hierarchies: one directory per mounted hierarchy (controllers mounted
 * together share one), plus the cgroup2 hierarchy of a hybrid host, which has no resources to set
 * but should not keep the container in the shim's cgroup.
 */
final class V1Manager extends AbstractCgroupManager {

	/** Where pids() looks first: these hold every process of the container. */
	private static final List<String> PROCESS_HIERARCHIES = List.of("pids", "memory", "freezer", "cpu");

	private final Map<String, Path> hierarchies;

	private final V1Memory memory;

	private final V1Cpu cpu;

	private final V1Cpuset cpuset;

	private final PidsController pidsController;

	private final V1Devices devices;

	private final V1Freezer freezer;

	/**
	 * @param hierarchies per controller ({@code name=systemd} for a named hierarchy, {@code ""} for
	 * cgroup2) the root of its hierarchy
	 */
	V1Manager(CgroupPath cgroupPath, Map<String, Path> hierarchies, CgroupFiles files) {
		super(cgroupPath, files);
		if (hierarchies.isEmpty()) {
			throw new IllegalArgumentException("hierarchies: at least one is required");
		}
		this.hierarchies = Collections.unmodifiableMap(new LinkedHashMap<>(hierarchies));
		this.memory = new V1Memory(files);
		this.cpu = new V1Cpu(files);
		this.cpuset = new V1Cpuset(files);
		this.pidsController = new PidsController(files);
		this.devices = new V1Devices(files);
		this.freezer = new V1Freezer(files);
	}

	@Override
	public synchronized void apply(long pid) {
		checkPid(pid);
		for (Path root : roots()) {
			this.files.write(create(root).resolve("cgroup.procs"), Long.toString(pid));
		}
	}

	@Override
	public synchronized CgroupEntry prepare() {
		Path cgroup2Root = this.hierarchies.get(CgroupMounts.UNIFIED);
		Path bornIn = null;
		List<Path> tasks = new ArrayList<>();
		for (Path root : roots()) {
			Path dir = create(root);
			if (root.equals(cgroup2Root)) {
				bornIn = dir;
			}
			else {
				tasks.add(dir.resolve("tasks"));
			}
		}
		return new CgroupEntry(bornIn, tasks);
	}

	/** The cgroup in one hierarchy, created level by level; a new cpuset level copies its parent's sets. */
	private Path create(Path root) {
		Path cpusetRoot = this.hierarchies.get("cpuset");
		Consumer<Path> eachLevel = (level) -> {
			if (root.equals(cpusetRoot)) {
				this.cpuset.inherit(root, level);
			}
		};
		return create(root, eachLevel);
	}

	@Override
	public synchronized void set(Resources r) {
		ResourceChecks.validate(r);
		// every directory first, so that a missing controller fails before anything is written
		Path memoryDir = ResourceChecks.hasMemory(r) ? existing("memory") : null;
		Path cpuDir = ResourceChecks.hasCpu(r) ? existing("cpu") : null;
		Path cpusetDir = ResourceChecks.hasCpuset(r) ? existing("cpuset") : null;
		Path pidsDir = (r.pidsLimit() != null) ? existing("pids") : null;
		Path devicesDir = (r.devices() != null && !r.devices().isEmpty()) ? existing("devices") : null;
		if (memoryDir != null) {
			this.memory.set(memoryDir, r);
		}
		if (cpuDir != null) {
			this.cpu.set(cpuDir, r);
		}
		if (cpusetDir != null) {
			this.cpuset.set(cpusetDir, r);
		}
		if (pidsDir != null) {
			this.pidsController.set(pidsDir, r);
		}
		if (devicesDir != null) {
			this.devices.set(devicesDir, r);
		}
	}

	@Override
	public synchronized void freeze() {
		this.freezer.freeze(existing("freezer"), freezeTimeout());
	}

	@Override
	public synchronized void thaw() {
		this.freezer.thaw(existing("freezer"), freezeTimeout());
	}

	@Override
	public boolean isFrozen() {
		Path dir = dirIfMounted("freezer");
		return dir != null && this.files.isDirectory(dir) && this.freezer.isFrozen(dir);
	}

	@Override
	public CgroupStats stats() {
		if (!exists()) {
			throw new CgroupException(this.cgroupPath + ": the cgroup does not exist", null);
		}
		Path memoryDir = dirIfMounted("memory");
		Path pidsDir = dirIfMounted("pids");
		return new CgroupStats(this.cpu.stats(dirIfMounted("cpu"), dirIfMounted("cpuacct")),
				(memoryDir != null) ? this.memory.stats(memoryDir) : CgroupStats.Memory.NONE,
				(pidsDir != null) ? this.pidsController.stats(pidsDir) : CgroupStats.Pids.NONE, oomKillCount());
	}

	@Override
	public long oomKillCount() {
		Path dir = dirIfMounted("memory");
		return (dir != null) ? this.memory.oomKills(dir) : 0;
	}

	@Override
	public List<Long> pids() {
		for (String controller : PROCESS_HIERARCHIES) {
			Path dir = dirIfMounted(controller);
			if (dir != null) {
				return pids(dir);
			}
		}
		return pids(this.cgroupPath.in(roots().iterator().next()));
	}

	@Override
	public synchronized void destroy() {
		long deadline = removeDeadline();
		CgroupException failure = null;
		for (Path root : roots()) {
			try {
				remove(root, deadline);
			}
			catch (CgroupException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

	@Override
	public boolean exists() {
		for (Path root : roots()) {
			if (this.files.isDirectory(this.cgroupPath.in(root))) {
				return true;
			}
		}
		return false;
	}

	@Override
	public Path path(String controller) {
		Path root = this.hierarchies.get(controller);
		if (root == null) {
			throw new IllegalArgumentException("no cgroup v1 hierarchy has the " + controller
					+ " controller; mounted: " + this.hierarchies.keySet());
		}
		return this.cgroupPath.in(root);
	}

	@Override
	public Map<String, Path> paths() {
		Map<String, Path> paths = new LinkedHashMap<>();
		this.hierarchies.forEach((controller, root) -> paths.put(controller, this.cgroupPath.in(root)));
		return paths;
	}

	/** Each hierarchy once, although co-mounted controllers list it twice. */
	private Set<Path> roots() {
		return new LinkedHashSet<>(this.hierarchies.values());
	}

	private Path dirIfMounted(String controller) {
		Path root = this.hierarchies.get(controller);
		return (root != null) ? this.cgroupPath.in(root) : null;
	}

	/**
	 * The cgroup's directory for a controller it is about to write to.
	 */
	private Path existing(String controller) {
		Path dir = dirIfMounted(controller);
		if (dir == null) {
			throw new CgroupException("the " + controller + " cgroup controller is not mounted on this host", null);
		}
		if (!this.files.isDirectory(dir)) {
			throw new CgroupException(dir + ": the cgroup does not exist (apply() creates it)", dir);
		}
		return dir;
	}

}
