package dev.berth.lifecycle.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.ContainerConfig;
import dev.berth.lifecycle.container.HostConfig;
import dev.berth.lifecycle.spec.UserMounts.MountPoint;

/**
 * Builds what a node runs for a Docker container: the OCI runtime spec, with dockerd's defaults
 * and its validation, and the container's /etc files. Each concern has its class
 * ({@link Capabilities}, {@link Namespaces}, {@link UserMounts} and {@link SpecMounts},
 * {@link DeviceRules}, {@link ResourceLimits}, {@link Sysctls}, {@link SeccompProfiles},
 * {@link ContainerFiles}); this one composes them in the order dockerd applies them, because
 * some depend on others (the seccomp profile on the final capabilities, the files on the
 * network mode).
 *
 * <p>Thread-safe; one instance per node, built from that node's {@link HostFacts}.
 */
public final class SpecFactory {

	/** The spec version whose fields this spec uses: every runtime reads it (Debian's crun refuses 1.1 and later). */
	static final String OCI_VERSION = "1.0.2";

	/** What a process finds in PATH unless the image or the client set one. */
	static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

	/** Docker's default /dev/shm size: 64 MiB. */
	static final long DEFAULT_SHM_SIZE = 64L * 1024 * 1024;

	/** Files that expose the host's hardware, kernel memory or keys: replaced by nothing. */
	static final List<String> MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/interrupts",
			"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
			"/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

	/** Kernel settings the container may read but not change. */
	static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
			"/proc/sysrq-trigger");

	/** Where containers' cgroups live unless {@code CgroupParent} says otherwise. */
	static final String CGROUP_PARENT = "/berth";

	private static final int SHORT_ID_LENGTH = 12;

	private final HostFacts host;

	private final Path hostDev;

	public SpecFactory(HostFacts host) {
		this(host, Path.of("/dev"));
	}

	SpecFactory(HostFacts host, Path hostDev) {
		this.host = host;
		this.hostDev = hostDev;
	}

	/**
	 * The container's host name as Docker stores it in {@code Config.Hostname} at create: the
	 * client's, else the host's for a host-network container, else the first 12 characters of
	 * the ID.
	 */
	public String hostname(ContainerConfig config, HostConfig hostConfig, String containerId) {
		if (config.hostname() != null && !config.hostname().isEmpty()) {
			return config.hostname();
		}
		if ("host".equals(hostConfig.networkMode())) {
			return this.host.hostname();
		}
		return containerId.substring(0, Math.min(SHORT_ID_LENGTH, containerId.length()));
	}

	/**
	 * The spec and files for a container.
	 *
	 * @param config the merged Config ({@link ImageConfigMerge})
	 * @param hostConfig the client's HostConfig
	 * @throws InvalidArgumentException in dockerd's words for a request Docker refuses
	 * @throws UnsupportedFeatureException for what Docker supports and this engine does not yet
	 */
	public ContainerSpec create(ContainerConfig config, HostConfig hostConfig, String containerId) {
		List<String> warnings = new ArrayList<>();
		Namespaces namespaces = Namespaces.of(config, hostConfig, this.host);
		if (Boolean.TRUE.equals(hostConfig.init()) && !namespaces.hostPid()) {
			throw new UnsupportedFeatureException("init", "--init: an init process is not supported yet");
		}
		SecurityOptions security = SecurityOptions.parse(hostConfig.securityOpt());
		List<String> capabilities = Capabilities.of(hostConfig.capAdd(), hostConfig.capDrop(),
				hostConfig.privileged(), this.host.capabilities());
		List<MountPoint> userMounts = UserMounts.of(hostConfig);
		ObjectNode resources = ResourceLimits.of(hostConfig, this.host, warnings);
		DeviceRules.Devices devices = DeviceRules.of(hostConfig, this.hostDev);
		String hostname = hostname(config, hostConfig, containerId);

		ObjectNode spec = SpecJson.object();
		spec.put("ociVersion", OCI_VERSION);
		spec.set("process", process(config, hostConfig, security, capabilities, hostname));
		spec.putObject("root").put("path", "rootfs").put("readonly", hostConfig.readonlyRootfs());
		if (!namespaces.hostUts()) {
			spec.put("hostname", hostname);
		}
		boolean writableCgroups = (security.writableCgroups() != null) ? security.writableCgroups()
				: hostConfig.privileged();
		spec.set("mounts", SpecMounts.of(userMounts, shmSize(hostConfig), namespaces.shm(),
				hostConfig.readonlyRootfs(), hostConfig.privileged(), writableCgroups));

		ObjectNode linux = spec.putObject("linux");
		String domainname = Objects.requireNonNullElse(config.domainname(), "");
		linux.set("sysctl", Sysctls.of(hostConfig.sysctls(), domainname, namespaces, this.host));
		ObjectNode linuxResources = linux.putObject("resources");
		linuxResources.set("devices", devices.cgroupRules());
		linuxResources.setAll(resources);
		linux.put("cgroupsPath", cgroupsPath(hostConfig.cgroupParent(), containerId));
		linux.set("namespaces", namespaces.toSpec());
		linux.set("devices", devices.nodes());
		ObjectNode seccomp = SeccompProfiles.forContainer(security, hostConfig.privileged(), capabilities,
				this.host);
		if (seccomp != null) {
			linux.set("seccomp", seccomp);
		}
		linux.set("maskedPaths", SpecJson.strings(maskedPaths(hostConfig)));
		linux.set("readonlyPaths", SpecJson.strings(readonlyPaths(hostConfig)));

		Set<String> userDestinations = userMounts.stream().map(MountPoint::destination).collect(Collectors.toSet());
		List<MountedFile> files = ContainerFiles.of(hostConfig, hostname, namespaces, this.host, userDestinations);
		return new ContainerSpec(spec, files, warnings);
	}

	private ObjectNode process(ContainerConfig config, HostConfig hostConfig, SecurityOptions security,
			List<String> capabilities, String hostname) {
		ObjectNode process = SpecJson.object();
		process.put("terminal", config.tty());
		process.set("args", SpecJson.strings(args(config)));
		process.set("env", SpecJson.strings(env(config, hostname)));
		process.put("cwd", (config.workingDir() == null || config.workingDir().isEmpty()) ? "/" : config.workingDir());
		ObjectNode caps = process.putObject("capabilities");
		for (String set : List.of("bounding", "effective", "permitted")) {
			caps.set(set, SpecJson.strings(capabilities));
		}
		ArrayNode rlimits = ResourceLimits.rlimits(hostConfig.ulimits());
		if (!rlimits.isEmpty()) {
			process.set("rlimits", rlimits);
		}
		if (security.noNewPrivileges()) {
			process.put("noNewPrivileges", true);
		}
		process.put("oomScoreAdj", ResourceLimits.oomScoreAdj(hostConfig.oomScoreAdj()));
		return process;
	}

	/** Entrypoint then Cmd; without an Entrypoint, Cmd alone. */
	private static List<String> args(ContainerConfig config) {
		List<String> args = new ArrayList<>();
		if (config.entrypoint() != null) {
			args.addAll(config.entrypoint());
		}
		if (config.cmd() != null) {
			args.addAll(config.cmd());
		}
		if (args.isEmpty()) {
			throw new InvalidArgumentException("No command specified");
		}
		return args;
	}

	/** PATH, HOSTNAME and (with a terminal) TERM, each replaced by the Config's own if it sets it. */
	private static List<String> env(ContainerConfig config, String hostname) {
		List<String> defaults = new ArrayList<>(List.of(DEFAULT_PATH, "HOSTNAME=" + hostname));
		if (config.tty()) {
			defaults.add("TERM=xterm");
		}
		return EnvList.replaceOrAppend(defaults, (config.env() != null) ? config.env() : List.of());
	}

	private static long shmSize(HostConfig hostConfig) {
		if (hostConfig.shmSize() < 0) {
			throw new InvalidArgumentException("SHM size can not be less than 0");
		}
		return (hostConfig.shmSize() == 0) ? DEFAULT_SHM_SIZE : hostConfig.shmSize();
	}

	private List<String> maskedPaths(HostConfig hostConfig) {
		if (hostConfig.maskedPaths() != null) {
			return hostConfig.maskedPaths();
		}
		if (hostConfig.privileged()) {
			return List.of();
		}
		List<String> paths = new ArrayList<>(MASKED_PATHS);
		paths.addAll(this.host.extraMaskedPaths());
		return paths;
	}

	private static List<String> readonlyPaths(HostConfig hostConfig) {
		if (hostConfig.readonlyPaths() != null) {
			return hostConfig.readonlyPaths();
		}
		return hostConfig.privileged() ? List.of() : READONLY_PATHS;
	}

	/** {@code <parent>/<id>}: the runtime creates it under every hierarchy (v1) or in the unified one. */
	private static String cgroupsPath(String cgroupParent, String containerId) {
		String parent = (cgroupParent == null || cgroupParent.isEmpty()) ? CGROUP_PARENT : cgroupParent;
		return ContainerPaths.clean("/" + parent + "/" + containerId);
	}


}
