package dev.berth.lifecycle.spec;

import java.util.Objects;

import tools.jackson.databind.node.ArrayNode;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.ContainerConfig;
import dev.berth.lifecycle.container.HostConfig;

/**
 * Which namespaces a container gets of its own, from NetworkMode, IpcMode, PidMode, UTSMode,
 * CgroupnsMode and UsernsMode as dockerd validates and applies them. A mount namespace always;
 * the others unless the mode is {@code host}. Joining another container's namespaces
 * ({@code container:<id>}) is not supported yet.
 *
 * @param hostNetwork the host's network namespace: the host's /etc/hosts and resolv.conf
 * @param hostUts the host's UTS namespace: no hostname of its own
 * @param hostIpc the host's IPC namespace: IPC sysctls are refused
 * @param shm whether the container gets a /dev/shm ({@code IpcMode} {@code none} has none)
 * @param cgroupNamespace a private cgroup namespace
 */
record Namespaces(boolean hostNetwork, boolean hostPid, boolean hostUts, boolean hostIpc, boolean shm,
		boolean cgroupNamespace) {

	private static final String CONTAINER_PREFIX = "container:";

	static Namespaces of(ContainerConfig config, HostConfig hostConfig, HostFacts host) {
		boolean hostNetwork = hostNetwork(Objects.requireNonNullElse(hostConfig.networkMode(), ""));
		String ipc = Objects.requireNonNullElse(hostConfig.ipcMode(), "");
		refuseContainerMode(ipc, "IpcMode");
		if (!ipc.isEmpty() && !ipc.equals("host") && !ipc.equals("private") && !ipc.equals("shareable")
				&& !ipc.equals("none")) {
			throw new InvalidArgumentException("invalid IPC mode: " + ipc);
		}
		String pid = Objects.requireNonNullElse(hostConfig.pidMode(), "");
		refuseContainerMode(pid, "PidMode");
		if (!pid.isEmpty() && !pid.equals("host")) {
			throw new InvalidArgumentException("invalid PID mode: " + pid);
		}
		String uts = Objects.requireNonNullElse(hostConfig.utsMode(), "");
		if (!uts.isEmpty() && !uts.equals("host")) {
			throw new InvalidArgumentException("invalid UTS mode: " + uts);
		}
		if (uts.equals("host") && !Objects.requireNonNullElse(config.hostname(), "").isEmpty()) {
			throw new InvalidArgumentException("conflicting options: hostname and the UTS mode");
		}
		String userns = Objects.requireNonNullElse(hostConfig.usernsMode(), "");
		if (!userns.isEmpty() && !userns.equals("host")) {
			throw new InvalidArgumentException("invalid USER mode: " + userns);
		}
		boolean cgroupNamespace = cgroupNamespace(Objects.requireNonNullElse(hostConfig.cgroupnsMode(), ""), host);
		return new Namespaces(hostNetwork, pid.equals("host"), uts.equals("host"), ipc.equals("host"),
				!ipc.equals("none"), cgroupNamespace);
	}

	/**
	 * {@code bridge} (and its alias {@code default}) and {@code none} both get a network namespace
	 * of their own; the bridge's interface is plumbed into it by the network code, not here.
	 */
	private static boolean hostNetwork(String mode) {
		refuseContainerMode(mode, "NetworkMode");
		return switch (mode) {
			case "host" -> true;
			case "", "default", "bridge", "none" -> false;
			default -> throw new UnsupportedFeatureException("networks",
					"network " + mode + ": user-defined networks are not supported yet");
		};
	}

	/** Docker's default: private on cgroup v2; on v1 the host's, whose paths a v1 container expects. */
	private static boolean cgroupNamespace(String mode, HostFacts host) {
		return switch (mode) {
			case "private" -> true;
			case "host" -> false;
			case "" -> host.cgroup().v2();
			default -> throw new InvalidArgumentException("invalid cgroup namespace mode: " + mode);
		};
	}

	private static void refuseContainerMode(String mode, String field) {
		if (mode.startsWith(CONTAINER_PREFIX)) {
			throw new UnsupportedFeatureException("container-namespaces", field + " " + mode
					+ ": sharing another container's namespaces is not supported yet");
		}
	}


	/** The spec's {@code linux.namespaces}: new ones, none joined by path. */
	ArrayNode toSpec() {
		ArrayNode namespaces = SpecJson.object().arrayNode();
		add(namespaces, "mount", true);
		add(namespaces, "network", !this.hostNetwork);
		add(namespaces, "uts", !this.hostUts);
		add(namespaces, "pid", !this.hostPid);
		add(namespaces, "ipc", !this.hostIpc);
		add(namespaces, "cgroup", this.cgroupNamespace);
		return namespaces;
	}

	private static void add(ArrayNode namespaces, String type, boolean wanted) {
		if (wanted) {
			namespaces.addObject().put("type", type);
		}
	}

}
