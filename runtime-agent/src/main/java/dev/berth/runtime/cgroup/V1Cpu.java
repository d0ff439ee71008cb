package dev.berth.runtime.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * The v1 cpu controller (shares and CFS bandwidth) and cpuacct (usage), mounted apart or together.
 */
final class V1Cpu {

	/**
	 * {@code USER_HZ}, the unit of {@code cpuacct.stat}: 100 on every Linux architecture Berth runs
	 * on (it is fixed for the user ABI, whatever the kernel's {@code HZ}).
	 */
	static final long USER_HZ = 100;

	private static final long NANOS_PER_TICK = 1_000_000_000L / USER_HZ;

	private final CgroupFiles files;

	V1Cpu(CgroupFiles files) {
		this.files = files;
	}

	void set(Path dir, Resources r) {
		if (ResourceChecks.isSet(r.cpuShares())) {
			// the kernel clamps to 2..262144
			this.files.write(dir.resolve("cpu.shares"), Long.toString(r.cpuShares()));
		}
		String quota = (r.cpuQuota() != null)
				? (ResourceChecks.isUnlimited(r.cpuQuota()) ? "-1" : Long.toString(r.cpuQuota())) : null;
		if (ResourceChecks.isSet(r.cpuPeriod())) {
			try {
				this.files.write(dir.resolve("cpu.cfs_period_us"), Long.toString(r.cpuPeriod()));
			}
			catch (CgroupException ex) {
				// the old quota over the new period may exceed what the parent allows: quota first
				if (quota == null) {
					throw ex;
				}
				this.files.write(dir.resolve("cpu.cfs_quota_us"), quota);
				this.files.write(dir.resolve("cpu.cfs_period_us"), Long.toString(r.cpuPeriod()));
				return;
			}
		}
		if (quota != null) {
			this.files.write(dir.resolve("cpu.cfs_quota_us"), quota);
		}
	}

	/**
	 * Usage from cpuacct, and throttling from the cpu controller's {@code cpu.stat}.
	 *
	 * @param cpuDir the cgroup in the cpu hierarchy, or {@code null}
	 * @param cpuacctDir the cgroup in the cpuacct hierarchy, or {@code null}
	 */
	CgroupStats.Cpu stats(Path cpuDir, Path cpuacctDir) {
		long usage = 0;
		long user = 0;
		long system = 0;
		List<Long> perCpu = List.of();
		if (cpuacctDir != null) {
			usage = this.files.readLong(cpuacctDir.resolve("cpuacct.usage"), 0);
			perCpu = numbers(cpuacctDir.resolve("cpuacct.usage_percpu"));
			// the user/system split docker stats reports: the tick accounting of cpuacct.stat
			Map<String, Long> ticks = this.files.readKeyed(cpuacctDir.resolve("cpuacct.stat"));
			user = ticks.getOrDefault("user", 0L) * NANOS_PER_TICK;
			system = ticks.getOrDefault("system", 0L) * NANOS_PER_TICK;
		}
		Map<String, Long> throttling = (cpuDir != null) ? this.files.readKeyed(cpuDir.resolve("cpu.stat")) : Map.of();
		return new CgroupStats.Cpu(usage, user, system, perCpu, throttling.getOrDefault("nr_periods", 0L),
				throttling.getOrDefault("nr_throttled", 0L), throttling.getOrDefault("throttled_time", 0L));
	}

	private List<Long> numbers(Path file) {
		String content = this.files.readIfPresent(file);
		List<Long> numbers = new ArrayList<>();
		if (content != null) {
			for (String number : content.strip().split("\\s+")) {
				if (!number.isEmpty()) {
					numbers.add(CgroupFiles.parseLong(file, number));
				}
			}
		}
		return List.copyOf(numbers);
	}

}
