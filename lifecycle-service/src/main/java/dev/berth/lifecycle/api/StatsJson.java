package dev.berth.lifecycle.api;

import java.time.Instant;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.StatsResponse;
import dev.berth.lifecycle.container.Container;

/**
 * Docker's {@code ContainerStatsResponse} from two node samples: {@code precpu_stats} is the
 * previous one, which the CLI needs for its CPU percentage. A container without a memory limit
 * reports the node's memory as its limit, as dockerd does.
 */
final class StatsJson {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** cgroup v1 reports "no limit" as a number near 2^63. */
	private static final long UNLIMITED = Long.MAX_VALUE / 2;

	private StatsJson() {
	}

	static ObjectNode of(Container container, StatsResponse sample, StatsResponse previous) {
		ObjectNode json = JSON.createObjectNode();
		json.put("read", (sample != null) ? DockerTimes.rfc3339(instant(sample.getReadAtUnixNano())) : DockerTimes.ZERO);
		json.put("preread",
				(previous != null) ? DockerTimes.rfc3339(instant(previous.getReadAtUnixNano())) : DockerTimes.ZERO);
		ObjectNode pids = json.putObject("pids_stats");
		if (sample != null) {
			pids.put("current", sample.getPidsCurrent());
			if (sample.getPidsLimit() > 0) {
				pids.put("limit", sample.getPidsLimit());
			}
		}
		ObjectNode blkio = json.putObject("blkio_stats");
		for (String key : new String[] { "io_service_bytes_recursive", "io_serviced_recursive",
				"io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive",
				"io_time_recursive", "sectors_recursive" }) {
			blkio.putNull(key);
		}
		json.put("num_procs", 0);
		json.putObject("storage_stats");
		json.set("cpu_stats", cpu(sample));
		json.set("precpu_stats", cpu(previous));
		json.set("memory_stats", memory(sample));
		json.put("name", "/" + container.name());
		json.put("id", container.id());
		return json;
	}

	private static ObjectNode cpu(StatsResponse sample) {
		ObjectNode cpu = JSON.createObjectNode();
		ObjectNode usage = cpu.putObject("cpu_usage");
		usage.put("total_usage", (sample != null) ? sample.getCpuUsageNanos() : 0);
		if (sample != null && sample.getPerCpuUsageNanosCount() > 0) {
			ArrayNode perCpu = usage.putArray("percpu_usage");
			sample.getPerCpuUsageNanosList().forEach(perCpu::add);
		}
		usage.put("usage_in_kernelmode", (sample != null) ? sample.getCpuSystemNanos() : 0);
		usage.put("usage_in_usermode", (sample != null) ? sample.getCpuUserNanos() : 0);
		if (sample != null) {
			cpu.put("system_cpu_usage", sample.getSystemCpuUsageNanos());
			cpu.put("online_cpus", sample.getOnlineCpus());
		}
		ObjectNode throttling = cpu.putObject("throttling_data");
		throttling.put("periods", 0);
		throttling.put("throttled_periods", 0);
		throttling.put("throttled_time", 0);
		return cpu;
	}

	private static ObjectNode memory(StatsResponse sample) {
		ObjectNode memory = JSON.createObjectNode();
		if (sample == null) {
			return memory;
		}
		memory.put("usage", sample.getMemoryUsageBytes());
		memory.put("max_usage", sample.getMemoryMaxUsageBytes());
		ObjectNode stats = memory.putObject("stats");
		stats.put("cache", sample.getMemoryCacheBytes());
		long limit = sample.getMemoryLimitBytes();
		memory.put("limit", (limit <= 0 || limit >= UNLIMITED || (sample.getHostMemoryBytes() > 0
				&& limit > sample.getHostMemoryBytes())) ? sample.getHostMemoryBytes() : limit);
		if (sample.getOomKills() > 0) {
			memory.put("failcnt", sample.getOomKills());
		}
		return memory;
	}

	private static Instant instant(long unixNano) {
		return (unixNano > 0) ? Instant.ofEpochSecond(0, unixNano) : null;
	}

}
