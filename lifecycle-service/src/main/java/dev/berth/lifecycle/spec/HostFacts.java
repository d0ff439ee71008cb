package dev.berth.lifecycle.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What Docker's spec depends on that belongs to the machine the container runs on, read once:
 * the kernel, the cgroup controllers, the capabilities the engine holds, the host's name and
 * resolver files. Keeping them in one value makes the spec a pure function of the container's
 * configuration and these facts, so every rule is unit-testable with made-up hosts, and a
 * node other than this one can later report its own.
 *
 * @param architecture Go's name for the machine, as Docker's seccomp conditions use it:
 * {@code amd64}, {@code arm64}, {@code x86}, …
 * @param kernelRelease {@code uname -r}, for seccomp rules that apply from a kernel version on
 * @param capabilities what a privileged container gets: the capabilities the engine itself holds
 * @param cpus the number of CPUs, the upper bound of {@code NanoCpus}
 * @param onlineCpus the cpuset list a container may ask for ({@code 0-3,6})
 * @param memoryNodes the memory nodes a container may ask for
 * @param cgroup what the cgroup hierarchy can limit
 * @param ipv6 whether a new network namespace gets {@code ::1}; /etc/hosts lists IPv6 names then
 * @param hostname the host's name, a host-network container's default
 * @param hostsFile the host's /etc/hosts, which a host-network container sees as is
 * @param resolvConf the resolver configuration the host uses (systemd-resolved's upstream file
 * when /etc/resolv.conf only points at its local stub)
 * @param networkSysctls sysctls Docker sets in every container's own network namespace, those
 * this kernel has
 * @param extraMaskedPaths per-CPU thermal throttling files, masked like Docker masks them
 */
public record HostFacts(String architecture, String kernelRelease, List<String> capabilities, int cpus,
		String onlineCpus, String memoryNodes, CgroupSupport cgroup, boolean ipv6, String hostname, String hostsFile,
		String resolvConf, Map<String, String> networkSysctls, List<String> extraMaskedPaths) {

	public HostFacts {
		capabilities = List.copyOf(capabilities);
		networkSysctls = Map.copyOf(networkSysctls);
		extraMaskedPaths = List.copyOf(extraMaskedPaths);
	}

	/**
	 * What the cgroup hierarchy supports; a limit it cannot enforce is dropped with Docker's
	 * warning instead of failing the container at start.
	 *
	 * @param v2 the unified hierarchy (a private cgroup namespace by default) rather than v1
	 * @param swapLimit memory+swap can be limited (v1 needs {@code swapaccount=1})
	 * @param oomKillDisable the OOM killer can be disabled per cgroup (v1 only)
	 * @param blkioWeight a proportional I/O weight can be set
	 */
	public record CgroupSupport(boolean v2, boolean swapLimit, boolean oomKillDisable, boolean blkioWeight) {
	}

	private static final Path PROC_SYS = Path.of("/proc/sys");

	private static final Path CGROUP = Path.of("/sys/fs/cgroup");

	private static final String SYSTEMD_RESOLVED_STUB = "127.0.0.53";

	/**
	 * Capability numbers to names, as the kernel numbers them; bit {@code n} of
	 * {@code CapEff} is {@code NAMES.get(n)}.
	 */
	static final List<String> CAPABILITY_NAMES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
			"CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
			"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
			"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
			"CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
			"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
			"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
			"CAP_CHECKPOINT_RESTORE");

	/** Reads this machine. */
	public static HostFacts local() {
		boolean v2 = Files.exists(CGROUP.resolve("cgroup.controllers"));
		CgroupSupport cgroup = v2
				? new CgroupSupport(true, true, false, controllers().contains("io"))
				: new CgroupSupport(false, Files.exists(CGROUP.resolve("memory/memory.memsw.limit_in_bytes")),
						Files.exists(CGROUP.resolve("memory/memory.oom_control")),
						Files.exists(CGROUP.resolve("blkio/blkio.weight")));
		String online = read(Path.of("/sys/devices/system/cpu/online"), "0").strip();
		return new HostFacts(goArchitecture(System.getProperty("os.arch")),
				read(PROC_SYS.resolve("kernel/osrelease"), "").strip(), effectiveCapabilities(),
				Runtime.getRuntime().availableProcessors(), online,
				read(Path.of("/sys/devices/system/node/online"), "0").strip(), cgroup,
				read(PROC_SYS.resolve("net/ipv6/conf/default/disable_ipv6"), "1").strip().equals("0"),
				read(PROC_SYS.resolve("kernel/hostname"), "localhost").strip(), read(Path.of("/etc/hosts"), ""),
				readResolvConf(), readNetworkSysctls(), thermalThrottlePaths(online));
	}

	private static String goArchitecture(String javaArch) {
		return switch (javaArch.toLowerCase(Locale.ROOT)) {
			case "amd64", "x86_64" -> "amd64";
			case "aarch64", "arm64" -> "arm64";
			case "x86", "i386", "i486", "i586", "i686" -> "x86";
			default -> javaArch;
		};
	}

	/** The capabilities in this process's effective set, by name. */
	private static List<String> effectiveCapabilities() {
		long effective = 0;
		for (String line : read(Path.of("/proc/self/status"), "").split("\n")) {
			if (line.startsWith("CapEff:")) {
				effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
			}
		}
		List<String> names = new ArrayList<>();
		for (int bit = 0; bit < CAPABILITY_NAMES.size(); bit++) {
			if ((effective & (1L << bit)) != 0) {
				names.add(CAPABILITY_NAMES.get(bit));
			}
		}
		return names;
	}

	private static List<String> controllers() {
		return List.of(read(CGROUP.resolve("cgroup.controllers"), "").strip().split("\\s+"));
	}

	/** systemd-resolved's stub only answers on the host's loopback: its upstream file is what works. */
	private static String readResolvConf() {
		String etc = read(Path.of("/etc/resolv.conf"), "");
		List<String> nameservers = ResolvConf.parse(etc).nameservers();
		if (nameservers.equals(List.of(SYSTEMD_RESOLVED_STUB))) {
			return read(Path.of("/run/systemd/resolve/resolv.conf"), etc);
		}
		return etc;
	}

	/**
	 * Docker's defaults for a container's own network namespace: ping without CAP_NET_RAW and
	 * ports below 1024 without CAP_NET_BIND_SERVICE. Only those the kernel has, as a runtime
	 * refuses a sysctl it cannot find.
	 */
	private static Map<String, String> readNetworkSysctls() {
		Map<String, String> sysctls = new LinkedHashMap<>();
		if (Files.exists(PROC_SYS.resolve("net/ipv4/ping_group_range"))) {
			sysctls.put("net.ipv4.ping_group_range", "0 2147483647");
		}
		if (Files.exists(PROC_SYS.resolve("net/ipv4/ip_unprivileged_port_start"))) {
			sysctls.put("net.ipv4.ip_unprivileged_port_start", "0");
		}
		return sysctls;
	}

	/** These files leak the host's power use (a side channel): masked where they exist. */
	private static List<String> thermalThrottlePaths(String onlineCpus) {
		List<String> paths = new ArrayList<>();
		for (int cpu : CpuList.parse(onlineCpus)) {
			String path = "/sys/devices/system/cpu/cpu" + cpu + "/thermal_throttle";
			if (Files.exists(Path.of(path))) {
				paths.add(path);
			}
		}
		return paths;
	}

	private static String read(Path file, String absent) {
		try {
			return Files.exists(file) ? Files.readString(file) : absent;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
