package dev.berth.runtime.cgroup;

import java.util.List;
import java.util.Map;

/**
 * What a cgroup has used, in the units of {@code docker stats} (nanoseconds, bytes), whichever
 * cgroup version it came from. Counters a controller or kernel does not provide read as 0.
 *
 * @param cpu CPU time and throttling
 * @param memory memory use and limit
 * @param pids number of tasks and their limit
 * @param oomKills processes the kernel's OOM killer killed in this cgroup
 */
public record CgroupStats(Cpu cpu, Memory memory, Pids pids, long oomKills) {

	/** A limit that is not set ({@code max}, or v1's page-rounded {@code LONG_MAX}). */
	public static final long UNLIMITED = Long.MAX_VALUE;

	/**
	 * CPU time of the cgroup's tasks, in nanoseconds.
	 *
	 * @param usageNanos total CPU time
	 * @param userNanos time in user mode
	 * @param systemNanos time in kernel mode
	 * @param perCpuUsageNanos total CPU time per CPU (cgroup v1 only, empty on v2)
	 * @param periods enforcement periods that elapsed with a quota set
	 * @param throttledPeriods periods in which the quota ran out
	 * @param throttledNanos time the tasks waited for the next period
	 */
	public record Cpu(long usageNanos, long userNanos, long systemNanos, List<Long> perCpuUsageNanos,
			long periods, long throttledPeriods, long throttledNanos) {

		static final Cpu NONE = new Cpu(0, 0, 0, List.of(), 0, 0, 0);

	}

	/**
	 * Memory of the cgroup's tasks, in bytes.
	 *
	 * @param usage current usage, page cache included
	 * @param limit the limit, or {@link CgroupStats#UNLIMITED}
	 * @param maxUsage the highest usage seen (v1 {@code max_usage_in_bytes}, v2 {@code memory.peak}
	 * where the kernel has it)
	 * @param cache page cache (v1 {@code total_cache}, v2 {@code file})
	 * @param stat the kernel's {@code memory.stat}, as it is (keys differ between v1 and v2)
	 */
	public record Memory(long usage, long limit, long maxUsage, long cache, Map<String, Long> stat) {

		static final Memory NONE = new Memory(0, UNLIMITED, 0, 0, Map.of());

	}

	/**
	 * Tasks (threads included) in the cgroup.
	 *
	 * @param current the number of tasks
	 * @param limit the limit, or {@link CgroupStats#UNLIMITED}
	 */
	public record Pids(long current, long limit) {

		static final Pids NONE = new Pids(0, UNLIMITED);

	}

}
