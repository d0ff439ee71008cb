package dev.berth.lifecycle.spec;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.HostConfig;

/**
 * A container's cgroup limits and rlimits, checked and defaulted as dockerd does at create:
 * Memory at least 6 MB, MemorySwap twice Memory when not given, NanoCpus as a quota over a
 * 100 ms period (and not together with CpuPeriod or CpuQuota), cpusets within the host's, a
 * PidsLimit of zero or less meaning unlimited. A limit the host's cgroups cannot enforce is
 * dropped with Docker's warning rather than failing the container at start.
 */
final class ResourceLimits {

	/** Docker's floor for memory limits: below it a container cannot even start its process. */
	static final long MINIMUM_MEMORY = 6 * 1024 * 1024;

	/** The CFS period NanoCpus is expressed in, in microseconds (100 ms). */
	static final long NANO_CPUS_PERIOD = 100_000;

	private static final long NANOS_PER_CPU = 1_000_000_000L;

	private static final long MINIMUM_CFS_MICROS = 1000;

	private static final long MAXIMUM_CFS_PERIOD_MICROS = 1_000_000;

	private static final Set<String> RLIMITS = Set.of("as", "core", "cpu", "data", "fsize", "locks", "memlock",
			"msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");

	private ResourceLimits() {
	}

	/**
	 * The spec's {@code linux.resources} without its devices.
	 *
	 * @param warnings receives Docker's warnings about limits dropped or risky
	 */
	static ObjectNode of(HostConfig hostConfig, HostFacts host, List<String> warnings) {
		return resources(hostConfig, host, warnings, false);
	}

	/**
	 * Checks the limits of a {@code docker update} as dockerd checks them: as at create, except that
	 * a swap limit may come without a memory limit (the container may have one already).
	 *
	 * @param warnings receives Docker's warnings about limits dropped or risky
	 */
	static void verifyUpdate(HostConfig requested, HostFacts host, List<String> warnings) {
		resources(requested, host, warnings, true);
	}

	private static ObjectNode resources(HostConfig hostConfig, HostFacts host, List<String> warnings, boolean update) {
		ObjectNode resources = SpecJson.object();
		ObjectNode memory = memory(hostConfig, host, warnings, update);
		if (!memory.isEmpty()) {
			resources.set("memory", memory);
		}
		ObjectNode cpu = cpu(hostConfig, host);
		if (!cpu.isEmpty()) {
			resources.set("cpu", cpu);
		}
		if (hostConfig.pidsLimit() != null) {
			// zero or less means unlimited in Docker's API; the runtime's word for that is -1
			resources.putObject("pids").put("limit", hostConfig.pidsLimit() > 0 ? hostConfig.pidsLimit() : -1);
		}
		int weight = hostConfig.blkioWeight();
		if (weight != 0 && !host.cgroup().blkioWeight()) {
			warnings.add("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.");
		}
		else if (weight != 0) {
			if (weight < 10 || weight > 1000) {
				throw new InvalidArgumentException("Range of blkio weight is from 10 to 1000");
			}
			resources.putObject("blockIO").put("weight", weight);
		}
		return resources;
	}

	private static ObjectNode memory(HostConfig hostConfig, HostFacts host, List<String> warnings, boolean update) {
		long limit = hostConfig.memory();
		long reservation = hostConfig.memoryReservation();
		long swap = hostConfig.memorySwapInForce();
		if (limit != 0 && limit < MINIMUM_MEMORY) {
			throw new InvalidArgumentException("Minimum memory limit allowed is 6MB");
		}
		if (limit > 0 && swap != -1 && !host.cgroup().swapLimit()) {
			warnings.add("Your kernel does not support swap limit capabilities or the cgroup is not mounted. "
					+ "Memory limited without swap.");
			swap = -1;
		}
		if (limit > 0 && swap > 0 && swap < limit) {
			throw new InvalidArgumentException(
					"Minimum memoryswap limit should be larger than memory limit, see usage");
		}
		if (limit == 0 && swap > 0 && !update) {
			throw new InvalidArgumentException(
					"You should always set the Memory limit when using Memoryswap limit, see usage");
		}
		Long swappiness = hostConfig.memorySwappiness();
		if (swappiness != null && swappiness != -1 && (swappiness < 0 || swappiness > 100)) {
			throw new InvalidArgumentException(
					"Invalid value: " + swappiness + ", valid memory swappiness range is 0-100");
		}
		if (reservation > 0 && reservation < MINIMUM_MEMORY) {
			throw new InvalidArgumentException("Minimum memory reservation allowed is 6MB");
		}
		if (limit > 0 && reservation > 0 && limit < reservation) {
			throw new InvalidArgumentException(
					"Minimum memory limit can not be less than memory reservation limit, see usage");
		}
		ObjectNode memory = SpecJson.object();
		putPositive(memory, "limit", limit);
		putPositive(memory, "reservation", reservation);
		putPositive(memory, "swap", swap);
		if (swappiness != null && swappiness != -1) {
			memory.put("swappiness", swappiness);
		}
		if (Boolean.TRUE.equals(hostConfig.oomKillDisable())) {
			if (!host.cgroup().oomKillDisable()) {
				warnings.add("Your kernel does not support OomKillDisable. OomKillDisable discarded.");
			}
			else {
				if (limit == 0) {
					warnings.add("OOM killer is disabled for the container, but no memory limit is set, "
							+ "this can result in the system running out of resources.");
				}
				memory.put("disableOOMKiller", true);
			}
		}
		return memory;
	}

	private static ObjectNode cpu(HostConfig hostConfig, HostFacts host) {
		long nanoCpus = hostConfig.nanoCpus();
		long period = hostConfig.cpuPeriod();
		long quota = hostConfig.cpuQuota();
		if (nanoCpus > 0 && period > 0) {
			throw new InvalidArgumentException("Conflicting options: Nano CPUs and CPU Period cannot both be set");
		}
		if (nanoCpus > 0 && quota > 0) {
			throw new InvalidArgumentException("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
		}
		if (nanoCpus != 0 && (nanoCpus < 0 || nanoCpus > host.cpus() * NANOS_PER_CPU)) {
			throw new InvalidArgumentException("range of CPUs is from 0.01 to " + host.cpus() + ".00, as there are only "
					+ host.cpus() + " CPUs available");
		}
		if (period != 0 && (period < MINIMUM_CFS_MICROS || period > MAXIMUM_CFS_PERIOD_MICROS)) {
			throw new InvalidArgumentException(
					"CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
		}
		if (quota > 0 && quota < MINIMUM_CFS_MICROS) {
			throw new InvalidArgumentException("CPU cfs quota can not be less than 1ms (i.e. 1000)");
		}
		if (hostConfig.cpuShares() < 0) {
			throw new InvalidArgumentException(
					"invalid CPU shares (" + hostConfig.cpuShares() + "): value must be a positive integer");
		}
		ObjectNode cpu = SpecJson.object();
		if (hostConfig.cpuShares() != 0) {
			cpu.put("shares", hostConfig.cpuShares());
		}
		if (nanoCpus > 0) {
			cpu.put("quota", nanoCpus * NANO_CPUS_PERIOD / NANOS_PER_CPU);
			cpu.put("period", NANO_CPUS_PERIOD);
		}
		if (quota != 0) {
			cpu.put("quota", quota);
		}
		if (period != 0) {
			cpu.put("period", period);
		}
		String cpus = cpuset(hostConfig.cpusetCpus(), host.onlineCpus(), "cpus", "Requested CPUs");
		if (cpus != null) {
			cpu.put("cpus", cpus);
		}
		String mems = cpuset(hostConfig.cpusetMems(), host.memoryNodes(), "mems", "Requested memory nodes");
		if (mems != null) {
			cpu.put("mems", mems);
		}
		return cpu;
	}

	/** A cpuset list, or null when not asked for; it must be well formed and within the host's. */
	private static String cpuset(String requested, String available, String field, String what) {
		if (requested == null || requested.isEmpty()) {
			return null;
		}
		SortedSet<Integer> wanted;
		try {
			wanted = CpuList.parse(requested);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidArgumentException("Invalid value " + requested + " for cpuset " + field + ": "
					+ ex.getMessage());
		}
		if (!CpuList.parse(available).containsAll(wanted)) {
			throw new InvalidArgumentException(
					what + " are not available - requested " + requested + ", available: " + available);
		}
		return requested;
	}

	/** {@code process.rlimits} from {@code --ulimit}: {@code nofile=1024:2048} is RLIMIT_NOFILE. */
	static ArrayNode rlimits(List<HostConfig.Ulimit> ulimits) {
		ArrayNode rlimits = SpecJson.object().arrayNode();
		for (HostConfig.Ulimit ulimit : (ulimits != null) ? ulimits : List.<HostConfig.Ulimit>of()) {
			String name = (ulimit.name() != null) ? ulimit.name() : "";
			if (!RLIMITS.contains(name)) {
				throw new InvalidArgumentException("invalid ulimit type: " + name);
			}
			if (ulimit.soft() > ulimit.hard()) {
				throw new InvalidArgumentException("ulimit soft limit must be less than or equal to hard limit: "
						+ ulimit.soft() + " > " + ulimit.hard());
			}
			rlimits.addObject()
				.put("type", "RLIMIT_" + name.toUpperCase(Locale.ROOT))
				.put("hard", ulimit.hard())
				.put("soft", ulimit.soft());
		}
		return rlimits;
	}

	/** Docker's range for {@code OomScoreAdj}, the kernel's own. */
	static int oomScoreAdj(int value) {
		if (value < -1000 || value > 1000) {
			throw new InvalidArgumentException(
					"Invalid value " + value + ", range for oom score adj is [-1000, 1000]");
		}
		return value;
	}

	private static void putPositive(ObjectNode node, String field, long value) {
		if (value > 0) {
			node.put(field, value);
		}
	}

}
