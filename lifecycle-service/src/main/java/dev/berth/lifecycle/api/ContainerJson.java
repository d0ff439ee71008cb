package dev.berth.lifecycle.api;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerState;
import dev.berth.lifecycle.container.ContainerStatus;
import dev.berth.lifecycle.container.Exec;
import dev.berth.lifecycle.task.HealthChecks;

/**
 * Docker's JSON for a container: {@code ContainerInspectResponse} and {@code ContainerSummary}.
 * File paths are the node's: {@code <data-root>/containers/<id>/…}, as dockerd reports them.
 */
final class ContainerJson {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * dockerd reports every field of Config, its zero value where neither the request nor the image
	 * set one; clients read them without looking first.
	 */
	private static final ObjectNode CONFIG_DEFAULTS = (ObjectNode) JSON.readTree("""
			{"Hostname": "", "Domainname": "", "User": "", "AttachStdin": false, "AttachStdout": false,
			 "AttachStderr": false, "Tty": false, "OpenStdin": false, "StdinOnce": false, "Env": null,
			 "Cmd": null, "Image": "", "Volumes": null, "WorkingDir": "", "Entrypoint": null,
			 "OnBuild": null, "Labels": {}}""");

	/**
	 * The same for HostConfig, with dockerd's defaults (docker-py's {@code run} reads
	 * {@code LogConfig.Type}, which the CLI sends empty). Every container has a cgroup namespace of
	 * its own here, as on cgroup v2 hosts.
	 */
	private static final ObjectNode HOST_CONFIG_DEFAULTS = (ObjectNode) JSON.readTree("""
			{"Binds": null, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
			 "NetworkMode": "default", "PortBindings": null, "RestartPolicy": {"Name": "", "MaximumRetryCount": 0},
			 "AutoRemove": false, "VolumeDriver": "", "VolumesFrom": null, "ConsoleSize": [0, 0],
			 "CapAdd": null, "CapDrop": null, "CgroupnsMode": "private", "Dns": null, "DnsOptions": null,
			 "DnsSearch": null, "ExtraHosts": null, "GroupAdd": null, "IpcMode": "private", "Cgroup": "",
			 "Links": null, "OomScoreAdj": 0, "PidMode": "", "Privileged": false, "PublishAllPorts": false,
			 "ReadonlyRootfs": false, "SecurityOpt": null, "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864,
			 "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0, "CgroupParent": "", "BlkioWeight": 0,
			 "BlkioWeightDevice": null, "BlkioDeviceReadBps": null, "BlkioDeviceWriteBps": null,
			 "BlkioDeviceReadIOps": null, "BlkioDeviceWriteIOps": null, "CpuPeriod": 0, "CpuQuota": 0,
			 "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0, "CpusetCpus": "", "CpusetMems": "", "Devices": null,
			 "DeviceCgroupRules": null, "DeviceRequests": null, "MemoryReservation": 0, "MemorySwap": 0,
			 "MemorySwappiness": null, "OomKillDisable": false, "PidsLimit": null, "Ulimits": null, "CpuCount": 0,
			 "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0}""");

	private final Path dataRoot;

	ContainerJson(Path dataRoot) {
		this.dataRoot = dataRoot;
	}

	ObjectNode inspect(Container container, List<Exec> execs, Optional<HealthChecks.Health> health) {
		ObjectNode json = JSON.createObjectNode();
		Path dir = this.dataRoot.resolve("containers").resolve(container.id());
		List<String> command = command(container);
		json.put("Id", container.id());
		json.put("Created", DockerTimes.rfc3339(container.created()));
		json.put("Path", command.isEmpty() ? "" : command.get(0));
		ArrayNode args = json.putArray("Args");
		command.stream().skip(1).forEach(args::add);
		ObjectNode state = state(container.state());
		health.ifPresent((h) -> state.set("Health", health(h)));
		json.set("State", state);
		json.put("Image", container.imageId());
		json.put("ResolvConfPath", dir.resolve("resolv.conf").toString());
		json.put("HostnamePath", dir.resolve("hostname").toString());
		json.put("HostsPath", dir.resolve("hosts").toString());
		json.put("LogPath", dir.resolve(container.id() + "-json.log").toString());
		json.put("Name", "/" + container.name());
		json.put("RestartCount", container.state().restartCount());
		json.put("Driver", "overlay2");
		json.put("Platform", "linux");
		json.put("MountLabel", "");
		json.put("ProcessLabel", "");
		json.put("AppArmorProfile", "");
		if (execs.isEmpty()) {
			json.putNull("ExecIDs");
		}
		else {
			ArrayNode ids = json.putArray("ExecIDs");
			execs.forEach((exec) -> ids.add(exec.id()));
		}
		json.set("HostConfig", hostConfig(container));
		ObjectNode graphDriver = json.putObject("GraphDriver");
		graphDriver.put("Name", "overlay2");
		ObjectNode driverData = graphDriver.putObject("Data");
		Path snapshot = this.dataRoot.resolve("snapshots/containers").resolve(container.id());
		driverData.put("UpperDir", snapshot.resolve("upper").toString());
		driverData.put("WorkDir", snapshot.resolve("work").toString());
		json.putArray("Mounts");
		json.set("Config", config(container));
		json.set("NetworkSettings", networkSettings());
		return json;
	}

	private static ObjectNode config(Container container) {
		ObjectNode json = withDefaults(container.configJson(), CONFIG_DEFAULTS);
		if (json.path("Hostname").asString("").isEmpty()) {
			// the host name the container got: its short id, as with dockerd
			json.put("Hostname", container.id().substring(0, 12));
		}
		return json;
	}

	private static ObjectNode hostConfig(Container container) {
		ObjectNode json = withDefaults(container.hostConfigJson(), HOST_CONFIG_DEFAULTS);
		if (json.path("LogConfig").path("Type").asString("").isEmpty()) {
			// the CLI sends an empty log driver: the daemon's default is the one in use
			json.set("LogConfig", HOST_CONFIG_DEFAULTS.get("LogConfig").deepCopy());
		}
		json.put("NetworkMode", networkMode(container));
		return json;
	}

	/** What was stored, over the defaults for what was not: a stored null stays null, as Docker keeps it. */
	private static ObjectNode withDefaults(ObjectNode stored, ObjectNode defaults) {
		ObjectNode json = defaults.deepCopy();
		stored.properties().forEach((field) -> json.set(field.getKey(), field.getValue()));
		return json;
	}

	ObjectNode summary(Container container, Optional<HealthChecks.Health> health) {
		ObjectNode json = JSON.createObjectNode();
		json.put("Id", container.id());
		json.putArray("Names").add("/" + container.name());
		json.put("Image", container.image());
		json.put("ImageID", container.imageId());
		json.put("Command", summaryCommand(command(container)));
		json.put("Created", container.created().getEpochSecond());
		json.putArray("Ports");
		ObjectNode labels = json.putObject("Labels");
		container.labels().forEach(labels::put);
		json.put("State", container.state().status().wireName());
		json.put("Status", status(container.state(), Instant.now()) + healthSuffix(container.state(), health));
		json.putObject("HostConfig").put("NetworkMode", networkMode(container));
		json.putObject("NetworkSettings").putObject("Networks");
		json.putArray("Mounts");
		return json;
	}

	private static ObjectNode state(ContainerState state) {
		ObjectNode json = JSON.createObjectNode();
		ContainerStatus status = state.status();
		json.put("Status", status.wireName());
		json.put("Running", status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED);
		json.put("Paused", status == ContainerStatus.PAUSED);
		json.put("Restarting", status == ContainerStatus.RESTARTING);
		json.put("OOMKilled", state.oomKilled());
		json.put("Dead", status == ContainerStatus.DEAD);
		json.put("Pid", state.pid());
		json.put("ExitCode", state.exitCode());
		json.put("Error", state.error());
		json.put("StartedAt", DockerTimes.rfc3339(state.startedAt()));
		json.put("FinishedAt", DockerTimes.rfc3339(state.finishedAt()));
		return json;
	}

	private static ObjectNode health(HealthChecks.Health health) {
		ObjectNode json = JSON.createObjectNode();
		json.put("Status", health.status());
		json.put("FailingStreak", health.failingStreak());
		ArrayNode log = json.putArray("Log");
		for (HealthChecks.Probe probe : health.log()) {
			ObjectNode entry = log.addObject();
			entry.put("Start", DockerTimes.rfc3339(probe.start()));
			entry.put("End", DockerTimes.rfc3339(probe.end()));
			entry.put("ExitCode", probe.exitCode());
			entry.put("Output", probe.output());
		}
		return json;
	}

	/** " (healthy)", " (health: starting)", " (unhealthy)" after a running container's status. */
	static String healthSuffix(ContainerState state, Optional<HealthChecks.Health> health) {
		if (state.status() != ContainerStatus.RUNNING || health.isEmpty()) {
			return "";
		}
		return switch (health.get().status()) {
			case "starting" -> " (health: starting)";
			default -> " (" + health.get().status() + ")";
		};
	}

	/** The {@code docker ps} status column. */
	static String status(ContainerState state, Instant now) {
		return switch (state.status()) {
			case CREATED -> "Created";
			case RUNNING -> "Up " + DockerTimes.human(since(state.startedAt(), now));
			case PAUSED -> "Up " + DockerTimes.human(since(state.startedAt(), now)) + " (Paused)";
			case RESTARTING -> "Restarting (" + state.exitCode() + ") "
					+ DockerTimes.human(since(state.finishedAt(), now)) + " ago";
			case REMOVING -> "Removal In Progress";
			case DEAD -> "Dead";
			case EXITED -> (state.finishedAt() == null) ? "Exited (" + state.exitCode() + ")"
					: "Exited (" + state.exitCode() + ") " + DockerTimes.human(since(state.finishedAt(), now))
							+ " ago";
		};
	}

	private static Duration since(Instant then, Instant now) {
		return (then != null) ? Duration.between(then, now) : Duration.ZERO;
	}

	/** What runs: Entrypoint, then Cmd, of the merged config. */
	static List<String> command(Container container) {
		List<String> command = new ArrayList<>();
		strings(container.configJson().get("Entrypoint"), command);
		strings(container.configJson().get("Cmd"), command);
		return command;
	}

	/** The command as {@code docker ps} shows it: dockerd quotes each argument with a space in it. */
	static String summaryCommand(List<String> command) {
		StringBuilder line = new StringBuilder(command.isEmpty() ? "" : command.get(0));
		command.stream()
			.skip(1)
			.forEach((argument) -> line.append(' ').append(argument.contains(" ") ? "'" + argument + "'" : argument));
		return line.toString();
	}

	private static void strings(JsonNode node, List<String> into) {
		if (node != null && node.isArray()) {
			node.forEach((item) -> into.add(item.asString("")));
		}
		else if (node != null && node.isString()) {
			into.add(node.asString());
		}
	}

	private static String networkMode(Container container) {
		String mode = container.hostConfigJson().path("NetworkMode").asString("");
		return mode.isEmpty() ? "default" : mode;
	}

	/** No network of its own beyond loopback yet: Docker's shape with nothing in it. */
	private static ObjectNode networkSettings() {
		ObjectNode json = JSON.createObjectNode();
		json.put("Bridge", "");
		json.put("SandboxID", "");
		json.put("SandboxKey", "");
		json.putObject("Ports");
		json.putObject("Networks");
		return json;
	}

	ObjectNode exec(Exec exec, Container container) {
		ObjectNode json = JSON.createObjectNode();
		var config = exec.config();
		json.put("ID", exec.id());
		json.put("Running", exec.state().running());
		if (exec.state().exitCode() != null) {
			json.put("ExitCode", exec.state().exitCode());
		}
		else {
			json.putNull("ExitCode");
		}
		ObjectNode process = json.putObject("ProcessConfig");
		process.put("tty", config.tty());
		List<String> cmd = (config.cmd() != null) ? config.cmd() : List.of();
		process.put("entrypoint", cmd.isEmpty() ? "" : cmd.get(0));
		ArrayNode arguments = process.putArray("arguments");
		cmd.stream().skip(1).forEach(arguments::add);
		process.put("privileged", config.privileged());
		process.put("user", (config.user() != null) ? config.user() : "");
		json.put("OpenStdin", config.attachStdin());
		json.put("OpenStderr", config.attachStderr());
		json.put("OpenStdout", config.attachStdout());
		json.put("CanRemove", false);
		json.put("ContainerID", container.id());
		json.put("DetachKeys", (config.detachKeys() != null) ? config.detachKeys() : "");
		json.put("Pid", exec.state().pid());
		return json;
	}

}
