package dev.berth.gateway.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What {@code GET /info} tells about the machine, read from the kernel's own files as dockerd reads them. Facts that
 * cannot change while the gateway runs are read once; the hostname and open descriptors at every call.
 */
record HostFacts(String id, int cpus, long memTotal, String kernelVersion, String operatingSystem, String osVersion,
		String architecture, String cgroupVersion, CgroupFeatures cgroups, boolean ipv4Forwarding,
		boolean bridgeNfIptables, boolean bridgeNfIp6tables) {

	private static final Path CGROUP = Path.of("/sys/fs/cgroup");

	/** Which resource limits the cgroup hierarchy can enforce: dockerd's sysinfo. */
	record CgroupFeatures(boolean memoryLimit, boolean swapLimit, boolean kernelMemoryTcp, boolean cpuCfs,
			boolean cpuShares, boolean cpuSet, boolean pidsLimit, boolean oomKillDisable) {
	}

	static HostFacts read() {
		Map<String, String> osRelease = osRelease();
		boolean v2 = Files.exists(CGROUP.resolve("cgroup.controllers"));
		return new HostFacts(engineId(), Runtime.getRuntime().availableProcessors(), readMemTotal(),
				SystemRouter.kernelVersion(), osRelease.getOrDefault("PRETTY_NAME", "Linux"),
				osRelease.getOrDefault("VERSION_ID", ""), unameMachine(System.getProperty("os.arch")), v2 ? "2" : "1",
				v2 ? cgroupV2() : cgroupV1(), flag("/proc/sys/net/ipv4/ip_forward"),
				flag("/proc/sys/net/bridge/bridge-nf-call-iptables"),
				flag("/proc/sys/net/bridge/bridge-nf-call-ip6tables"));
	}

	/** The host's name now: it may change while the gateway runs. */
	static String hostname() {
		return firstLine(Path.of("/proc/sys/kernel/hostname"), "");
	}

	/** The gateway's open file descriptors (dockerd's NFd). */
	static int openFiles() {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return (int) fds.count();
		}
		catch (IOException ex) {
			return 0;
		}
	}

	// The same UUID on every start of this machine, without a file of its own: derived from systemd's machine-id,
	// which is what a persistent engine ID needs to be (dockerd keeps its own in <data-root>/engine-id).
	private static String engineId() {
		String machineId = firstLine(Path.of("/etc/machine-id"), "");
		if (machineId.isEmpty()) {
			machineId = hostname();
		}
		return UUID.nameUUIDFromBytes(("berth-engine:" + machineId).getBytes(StandardCharsets.UTF_8)).toString();
	}

	private static CgroupFeatures cgroupV1() {
		Path memory = CGROUP.resolve("memory");
		Path cpu = CGROUP.resolve("cpu");
		return new CgroupFeatures(Files.isDirectory(memory), Files.exists(memory.resolve("memory.memsw.limit_in_bytes")),
				Files.exists(memory.resolve("memory.kmem.tcp.limit_in_bytes")),
				Files.exists(cpu.resolve("cpu.cfs_quota_us")), Files.exists(cpu.resolve("cpu.shares")),
				Files.isDirectory(CGROUP.resolve("cpuset")), Files.isDirectory(CGROUP.resolve("pids")),
				Files.exists(memory.resolve("memory.oom_control")));
	}

	private static CgroupFeatures cgroupV2() {
		List<String> controllers = List.of(firstLine(CGROUP.resolve("cgroup.controllers"), "").split(" "));
		boolean memory = controllers.contains("memory");
		boolean cpu = controllers.contains("cpu");
		// v2 has no kernel TCP memory limit and no OOM-kill switch; swap is limited wherever memory is
		return new CgroupFeatures(memory, memory, false, cpu, cpu, controllers.contains("cpuset"),
				controllers.contains("pids"), false);
	}

	private static long readMemTotal() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					// "MemTotal:  24683656 kB"
					return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// no /proc/meminfo: unknown, as 0
		}
		return 0;
	}

	private static Map<String, String> osRelease() {
		try {
			Map<String, String> values = new HashMap<>();
			for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
				int equals = line.indexOf('=');
				if (equals > 0) {
					values.put(line.substring(0, equals), line.substring(equals + 1).replaceAll("^\"|\"$", ""));
				}
			}
			return values;
		}
		catch (IOException ex) {
			return Map.of();
		}
	}

	// dockerd reports the kernel's machine name (uname -m), not Go's architecture name
	private static String unameMachine(String javaArch) {
		return switch (javaArch) {
			case "amd64", "x86_64" -> "x86_64";
			case "aarch64", "arm64" -> "aarch64";
			default -> javaArch;
		};
	}

	private static boolean flag(String file) {
		return firstLine(Path.of(file), "0").equals("1");
	}

	private static String firstLine(Path file, String otherwise) {
		try {
			String text = Files.readString(file).strip();
			return text.isEmpty() ? otherwise : text.lines().findFirst().orElse(otherwise);
		}
		catch (IOException ex) {
			return otherwise;
		}
	}

}
