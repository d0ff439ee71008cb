package dev.berth.runtime.cgroup;

import java.nio.file.Path;
import java.util.Map;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * The v1 memory controller. The kernel keeps {@code memory.memsw.limit_in_bytes} (memory plus swap,
 * like OCI's {@code swap}) at or above {@code memory.limit_in_bytes}, so the two are written in the
 * order that holds at every step. The memsw files exist only with swap accounting on.
 */
final class V1Memory {

	static final String LIMIT = "memory.limit_in_bytes";

	static final String SOFT_LIMIT = "memory.soft_limit_in_bytes";

	static final String MEMSW_LIMIT = "memory.memsw.limit_in_bytes";

	/**
	 * v1 shows "no limit" as {@code LONG_MAX} rounded down to a page; anything this large is that.
	 */
	private static final long UNLIMITED_THRESHOLD = Long.MAX_VALUE / 2;

	private final CgroupFiles files;

	V1Memory(CgroupFiles files) {
		this.files = files;
	}

	void set(Path dir, Resources r) {
		Long limit = r.memoryLimit();
		Long swap = r.memorySwap();
		Path memsw = dir.resolve(MEMSW_LIMIT);
		if (swap != null && !this.files.exists(memsw)) {
			long effectiveLimit = (limit != null) ? limit : currentLimit(dir);
			if (swap != -1 && swap != effectiveLimit) {
				throw new CgroupException(MEMSW_LIMIT + ": cannot write " + swap
						+ ": swap accounting is off on this host (the file does not exist)", memsw);
			}
			// no swap limit, or no swap at all: what the kernel does without accounting anyway
			swap = null;
		}
		if (limit != null && swap != null) {
			if (unlimitedAsMax(swap) >= currentLimit(dir)) {
				// raising: memory+swap first makes room for the new limit
				this.files.write(memsw, Long.toString(swap));
				this.files.write(dir.resolve(LIMIT), Long.toString(limit));
			}
			else {
				// lowering below the current limit: the limit must come down first
				this.files.write(dir.resolve(LIMIT), Long.toString(limit));
				this.files.write(memsw, Long.toString(swap));
			}
		}
		else if (limit != null) {
			this.files.write(dir.resolve(LIMIT), Long.toString(limit));
		}
		else if (swap != null) {
			this.files.write(memsw, Long.toString(swap));
		}
		if (r.memoryReservation() != null) {
			this.files.write(dir.resolve(SOFT_LIMIT), Long.toString(r.memoryReservation()));
		}
	}

	CgroupStats.Memory stats(Path dir) {
		Map<String, Long> stat = this.files.readKeyed(dir.resolve("memory.stat"));
		long cache = stat.getOrDefault("total_cache", stat.getOrDefault("cache", 0L));
		return new CgroupStats.Memory(this.files.readLong(dir.resolve("memory.usage_in_bytes"), 0),
				currentLimit(dir), this.files.readLong(dir.resolve("memory.max_usage_in_bytes"), 0), cache,
				Map.copyOf(stat));
	}

	/**
	 * The {@code oom_kill} count of {@code memory.oom_control} (Linux 4.13+), 0 before.
	 */
	long oomKills(Path dir) {
		return this.files.readKeyed(dir.resolve("memory.oom_control")).getOrDefault("oom_kill", 0L);
	}

	private long currentLimit(Path dir) {
		return normalize(this.files.readLong(dir.resolve(LIMIT), CgroupStats.UNLIMITED));
	}

	static long normalize(long limit) {
		return (limit >= UNLIMITED_THRESHOLD) ? CgroupStats.UNLIMITED : limit;
	}

	private static long unlimitedAsMax(long value) {
		return (value == -1) ? CgroupStats.UNLIMITED : value;
	}

}
