package dev.berth.runtime.cgroup;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * Checks the values of {@link Resources} before anything is written, so that an invalid spec
 * leaves the cgroup as it was. The kernel checks the rest (cpuset syntax, quota ranges) and its
 * refusal names the file.
 */
final class ResourceChecks {

	private ResourceChecks() {
	}

	static void validate(Resources r) {
		Long limit = r.memoryLimit();
		Long swap = r.memorySwap();
		if (limit != null && limit != -1 && limit <= 0) {
			throw invalid("memory.limit", limit, "must be positive, or -1 for no limit");
		}
		if (r.memoryReservation() != null && r.memoryReservation() < -1) {
			throw invalid("memory.reservation", r.memoryReservation(), "must be 0 or more, or -1 for no limit");
		}
		if (swap != null) {
			if (swap != -1 && swap <= 0) {
				throw invalid("memory.swap", swap, "must be positive (memory plus swap), or -1 for no limit");
			}
			if (limit != null && swap != -1 && limit == -1) {
				throw invalid("memory.swap", swap, "cannot be limited when memory.limit is -1 (no limit)");
			}
			if (limit != null && limit != -1 && swap != -1 && swap < limit) {
				throw invalid("memory.swap", swap,
						"is memory plus swap, so it cannot be less than memory.limit (" + limit + ")");
			}
		}
		if (r.cpuShares() != null && r.cpuShares() < 0) {
			throw invalid("cpu.shares", r.cpuShares(), "must be positive, or 0 to leave it");
		}
		if (r.cpuQuota() != null && r.cpuQuota() < -1) {
			throw invalid("cpu.quota", r.cpuQuota(), "must be positive, or 0 or -1 for no limit");
		}
		if (r.cpuPeriod() != null && r.cpuPeriod() < 0) {
			throw invalid("cpu.period", r.cpuPeriod(), "must be positive, or 0 to leave it");
		}
		if (r.pidsLimit() != null && r.pidsLimit() < -1) {
			throw invalid("pids.limit", r.pidsLimit(), "must be positive, or 0 or -1 for no limit");
		}
		if (r.devices() != null) {
			DeviceRules.validate(r.devices());
		}
	}

	static boolean hasMemory(Resources r) {
		return r.memoryLimit() != null || r.memoryReservation() != null || r.memorySwap() != null;
	}

	static boolean hasCpu(Resources r) {
		return isSet(r.cpuShares()) || r.cpuQuota() != null || isSet(r.cpuPeriod());
	}

	static boolean hasCpuset(Resources r) {
		return isSet(r.cpusetCpus()) || isSet(r.cpusetMems());
	}

	static boolean isSet(Long value) {
		return value != null && value != 0;
	}

	static boolean isSet(String value) {
		return value != null && !value.isEmpty();
	}

	/** -1 and 0 mean no limit for the quota and pids; the files take {@code -1} or {@code max}. */
	static boolean isUnlimited(long value) {
		return value == -1 || value == 0;
	}

	private static IllegalArgumentException invalid(String field, long value, String reason) {
		return new IllegalArgumentException("linux.resources." + field + ": " + reason + ", got " + value);
	}

}
