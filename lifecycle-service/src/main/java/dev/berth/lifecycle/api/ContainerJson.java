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
		json.set("HostConfig", container.hostConfigJson());
		ObjectNode graphDriver = json.putObject("GraphDriver");
		graphDriver.put("Name", "overlay2");
		ObjectNode driverData = graphDriver.putObject("Data");
		Path snapshot = this.dataRoot.resolve("snapshots/containers").resolve(container.id());
		driverData.put("UpperDir", snapshot.resolve("upper").toString());
		driverData.put("WorkDir", snapshot.resolve("work").toString());
		json.putArray("Mounts");
		json.set("Config", container.configJson());
		json.set("NetworkSettings", networkSettings());
		return json;
	}

	ObjectNode summary(Container container, Optional<HealthChecks.Health> health) {
		ObjectNode json = JSON.createObjectNode();
		json.put("Id", container.id());
		json.putArray("Names").add("/" + container.name());
		json.put("Image", container.image());
		json.put("ImageID", container.imageId());
		json.put("Command", String.join(" ", command(container)));
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
