package dev.berth.runtime.cgroup;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * A cgroup in the cgroup2 hierarchy: one directory, whose controllers exist only where the parent
 * lists them in {@code cgroup.subtree_control}, so {@link #apply} enables them on the way down.
 */
final class V2Manager extends AbstractCgroupManager {

	/** The kernel's default CFS period, in microseconds. */
	private static final String DEFAULT_PERIOD = "100000";

	private final Path root;

	private final Path dir;

	private final PidsController pidsController;

	V2Manager(CgroupPath cgroupPath, Path root, CgroupFiles files) {
		super(cgroupPath, files);
		this.root = root;
		this.dir = cgroupPath.in(root);
		this.pidsController = new PidsController(files);
	}

	@Override
	public synchronized void apply(long pid) {
		checkPid(pid);
		prepare();
		this.files.write(this.dir.resolve("cgroup.procs"), Long.toString(pid));
	}

	@Override
	public synchronized CgroupEntry prepare() {
		create(this.root, (level) -> {
			if (!level.equals(this.dir)) {
				enableControllers(level);
			}
		});
		return new CgroupEntry(this.dir, List.of());
	}

	/**
	 * Enables, for the children of a cgroup, every controller it has. One at a time, as the kernel
	 * takes a list all or nothing, and failures are left to show when a resource is set: a cgroup
	 * with processes of its own (other than the root) cannot pass controllers down, and with RT
	 * group scheduling the cpu controller refuses while real-time tasks run outside the root.
	 */
	private void enableControllers(Path level) {
		Set<String> enabled = words(this.files.read(level.resolve("cgroup.subtree_control")));
		for (String controller : words(this.files.read(level.resolve("cgroup.controllers")))) {
			if (!enabled.contains(controller)) {
				try {
					this.files.write(level.resolve("cgroup.subtree_control"), "+" + controller);
				}
				catch (CgroupException ex) {
					// see above
				}
			}
		}
	}

	@Override
	public synchronized void set(Resources r) {
		ResourceChecks.validate(r);
		if (r.devices() != null) {
			DeviceRules.checkEnforceableWithoutBpf(r.devices());
		}
		Path dir = existing();
		if (ResourceChecks.hasMemory(r)) {
			setMemory(dir, r);
		}
		if (ResourceChecks.isSet(r.cpuShares())) {
			this.files.write(dir.resolve("cpu.weight"), Long.toString(cpuWeight(r.cpuShares())));
		}
		if (r.cpuQuota() != null || ResourceChecks.isSet(r.cpuPeriod())) {
			this.files.write(dir.resolve("cpu.max"), cpuMax(r.cpuQuota(), r.cpuPeriod(), dir));
		}
		if (ResourceChecks.isSet(r.cpusetCpus())) {
			this.files.write(dir.resolve("cpuset.cpus"), r.cpusetCpus());
		}
		if (ResourceChecks.isSet(r.cpusetMems())) {
			this.files.write(dir.resolve("cpuset.mems"), r.cpusetMems());
		}
		if (r.pidsLimit() != null) {
			this.pidsController.set(dir, r);
		}
	}

	/**
	 * {@code memory.swap.max} is swap alone where OCI's {@code swap} is memory plus swap; the two
	 * files have no order to respect, unlike v1.
	 */
	private void setMemory(Path dir, Resources r) {
		Long limit = r.memoryLimit();
		Long swap = r.memorySwap();
		Path swapMax = dir.resolve("memory.swap.max");
		String swapValue = null;
		if (swap != null) {
			long memory = (limit != null) ? limit : currentMax(dir.resolve("memory.max"));
			swapValue = swapMax(swap, memory);
			if (!this.files.exists(swapMax)) {
				if (swap != -1 && swap != memory) {
					throw new CgroupException("memory.swap.max: cannot write " + swapValue
							+ ": swap accounting is off on this host (the file does not exist)", swapMax);
				}
				// no swap limit, or none allowed: what the kernel does without swap accounting
				swapValue = null;
			}
		}
		if (limit != null) {
			this.files.write(dir.resolve("memory.max"), max(limit));
		}
		if (swapValue != null) {
			this.files.write(swapMax, swapValue);
		}
		if (r.memoryReservation() != null) {
			this.files.write(dir.resolve("memory.low"), max(r.memoryReservation()));
		}
	}

	private long currentMax(Path file) {
		long max = this.files.readLong(file, CgroupStats.UNLIMITED);
		return (max == CgroupStats.UNLIMITED) ? -1 : max;
	}

	/**
	 * OCI's memory plus swap as the swap alone.
	 *
	 * @param swap memory plus swap, or -1 for no limit
	 * @param memory the memory limit, or -1 for none
	 */
	static String swapMax(long swap, long memory) {
		if (swap == -1) {
			return "max";
		}
		if (memory == -1) {
			throw new IllegalArgumentException("linux.resources.memory.swap: cannot be limited to " + swap
					+ " while memory has no limit (swap is memory plus swap)");
		}
		if (swap < memory) {
			throw new IllegalArgumentException("linux.resources.memory.swap: " + swap
					+ " is less than the memory limit " + memory + " (swap is memory plus swap)");
		}
		return Long.toString(swap - memory);
	}

	/**
	 * v1 shares (2..262144, default 1024) mapped linearly onto v2 weights (1..10000, default 100):
	 * the conversion every runtime uses, so that a container gets the same weight whichever runs it.
	 * 1024 maps to 39, not 100.
	 */
	static long cpuWeight(long shares) {
		long clamped = Math.clamp(shares, 2, 262_144);
		return 1 + ((clamped - 2) * 9999) / 262_142;
	}

	/**
	 * {@code cpu.max} takes "quota period" together, so a value that is not given comes from the
	 * file: the quota may be changed alone, the period too.
	 */
	String cpuMax(Long quota, Long period, Path dir) {
		boolean hasPeriod = ResourceChecks.isSet(period);
		String[] current = (quota == null || !hasPeriod) ? this.files.read(dir.resolve("cpu.max")).strip().split(" ")
				: new String[0];
		String newQuota = (quota == null) ? current[0] : ResourceChecks.isUnlimited(quota) ? "max" : quota.toString();
		String newPeriod = hasPeriod ? period.toString() : (current.length > 1) ? current[1] : DEFAULT_PERIOD;
		return newQuota + " " + newPeriod;
	}

	private static String max(long value) {
		return (value == -1) ? "max" : Long.toString(value);
	}

	@Override
	public synchronized void freeze() {
		Path dir = existing();
		Path freeze = dir.resolve("cgroup.freeze");
		this.files.write(freeze, "1");
		if (!await(() -> frozen(dir) == 1, freezeTimeout())) {
			this.files.write(freeze, "0");
			throw new CgroupException("cgroup.freeze: cannot write 1: cgroup.events does not show frozen after "
					+ freezeTimeout().toMillis() + " ms, thawed again", freeze);
		}
	}

	@Override
	public synchronized void thaw() {
		Path dir = existing();
		Path freeze = dir.resolve("cgroup.freeze");
		this.files.write(freeze, "0");
		if (!await(() -> frozen(dir) == 0, freezeTimeout())) {
			throw new CgroupException("cgroup.freeze: cannot write 0: cgroup.events still shows frozen after "
					+ freezeTimeout().toMillis() + " ms", freeze);
		}
	}

	@Override
	public boolean isFrozen() {
		return this.files.isDirectory(this.dir) && frozen(this.dir) == 1;
	}

	private long frozen(Path dir) {
		return this.files.readKeyed(dir.resolve("cgroup.events")).getOrDefault("frozen", 0L);
	}

	@Override
	public CgroupStats stats() {
		existing();
		Map<String, Long> cpu = this.files.readKeyed(this.dir.resolve("cpu.stat"));
		Map<String, Long> memoryStat = this.files.readKeyed(this.dir.resolve("memory.stat"));
		return new CgroupStats(
				new CgroupStats.Cpu(micros(cpu, "usage_usec"), micros(cpu, "user_usec"), micros(cpu, "system_usec"),
						List.of(), cpu.getOrDefault("nr_periods", 0L), cpu.getOrDefault("nr_throttled", 0L),
						micros(cpu, "throttled_usec")),
				new CgroupStats.Memory(this.files.readLong(this.dir.resolve("memory.current"), 0),
						this.files.readLong(this.dir.resolve("memory.max"), CgroupStats.UNLIMITED),
						this.files.readLong(this.dir.resolve("memory.peak"), 0), memoryStat.getOrDefault("file", 0L),
						Map.copyOf(memoryStat)),
				this.pidsController.stats(this.dir), oomKillCount());
	}

	private static long micros(Map<String, Long> stat, String key) {
		return stat.getOrDefault(key, 0L) * 1000;
	}

	@Override
	public long oomKillCount() {
		return this.files.readKeyed(this.dir.resolve("memory.events")).getOrDefault("oom_kill", 0L);
	}

	@Override
	public List<Long> pids() {
		return pids(this.dir);
	}

	@Override
	public synchronized void destroy() {
		remove(this.root, removeDeadline());
	}

	@Override
	public boolean exists() {
		return this.files.isDirectory(this.dir);
	}

	@Override
	public Path path(String controller) {
		return this.dir;
	}

	@Override
	public Map<String, Path> paths() {
		return Map.of(CgroupMounts.UNIFIED, this.dir);
	}

	private Path existing() {
		if (!this.files.isDirectory(this.dir)) {
			throw new CgroupException(this.dir + ": the cgroup does not exist (apply() creates it)", this.dir);
		}
		return this.dir;
	}

	/** The whitespace-separated words of a cgroup file such as {@code cgroup.subtree_control}. */
	static Set<String> words(String content) {
		Set<String> words = new LinkedHashSet<>();
		for (String word : content.strip().split("\\s+")) {
			if (!word.isEmpty()) {
				words.add(word);
			}
		}
		return words;
	}

}
