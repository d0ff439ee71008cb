package dev.berth.agent.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The node's CPU and memory totals that Docker's stats carry beside a container's own numbers:
 * the CLI's CPU percentage is the container's share of {@link #systemCpuNanos} between samples.
 */
final class HostCpu {

	/** /proc/stat counts in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
	private static final long NANOS_PER_TICK = 10_000_000L;

	/** user, nice, system, idle, iowait, irq, softirq: the fields Docker sums. */
	private static final int SUMMED_FIELDS = 7;

	private final Path proc;

	HostCpu(Path proc) {
		this.proc = proc;
	}

	record Sample(long systemCpuNanos, int onlineCpus, long memoryBytes) {
	}

	Sample sample() {
		try {
			List<String> stat = Files.readAllLines(this.proc.resolve("stat"));
			long ticks = 0;
			int cpus = 0;
			for (String line : stat) {
				if (line.startsWith("cpu ")) {
					String[] fields = line.trim().split("\\s+");
					for (int i = 1; i <= SUMMED_FIELDS && i < fields.length; i++) {
						ticks += Long.parseLong(fields[i]);
					}
				}
				else if (line.startsWith("cpu")) {
					cpus++;
				}
			}
			return new Sample(ticks * NANOS_PER_TICK, cpus, memTotal());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private long memTotal() throws IOException {
		for (String line : Files.readAllLines(this.proc.resolve("meminfo"))) {
			if (line.startsWith("MemTotal:")) {
				// "MemTotal:       24570196 kB"
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		return 0;
	}

}
