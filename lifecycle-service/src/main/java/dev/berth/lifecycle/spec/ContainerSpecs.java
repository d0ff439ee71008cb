package dev.berth.lifecycle.spec;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;

import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.ContainerFile;
import dev.berth.contracts.agent.v1.Resources;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ExecConfig;
import dev.berth.lifecycle.container.HostConfig;
import dev.berth.lifecycle.task.RuntimeSpecs;

/** The containers' specs as the lifecycle needs them, made by this node's {@link SpecFactory}. */
@Component
class ContainerSpecs implements RuntimeSpecs {

	private final HostFacts host = HostFacts.local();

	private final SpecFactory factory = new SpecFactory(this.host);

	@Override
	public ObjectNode mergeImageConfig(ObjectNode config, ObjectNode imageConfig) {
		return ImageConfigMerge.merge(config, imageConfig);
	}

	@Override
	public ObjectNode withHostname(Container container) {
		ObjectNode config = container.configJson().deepCopy();
		config.put("Hostname", this.factory.hostname(container.config(), container.hostConfig(), container.id()));
		if (!config.has("Domainname")) {
			config.put("Domainname", "");
		}
		return config;
	}

	@Override
	public List<String> verifyUpdate(HostConfig requested) {
		List<String> warnings = new ArrayList<>();
		ResourceLimits.verifyUpdate(requested, this.host, warnings);
		return warnings;
	}

	@Override
	public Resources nodeResources(Container container) {
		ObjectNode limits = ResourceLimits.of(container.hostConfig(), this.host, new ArrayList<>());
		JsonNode memory = limits.path("memory");
		JsonNode cpu = limits.path("cpu");
		return Resources.newBuilder()
			.setMemoryLimitBytes(memory.path("limit").asLong(0))
			.setMemorySwapBytes(memory.path("swap").asLong(0))
			.setMemoryReservationBytes(memory.path("reservation").asLong(0))
			.setCpuShares(cpu.path("shares").asLong(0))
			.setCpuQuota(cpu.path("quota").asLong(0))
			.setCpuPeriod(cpu.path("period").asLong(0))
			.setCpusetCpus(cpu.path("cpus").asString(""))
			.setCpusetMems(cpu.path("mems").asString(""))
			.setPidsLimit(limits.path("pids").path("limit").asLong(0))
			.build();
	}

	@Override
	public RuntimeSpec specFor(Container container) {
		ContainerSpec spec = this.factory.create(container.config(), container.hostConfig(), container.id());
		List<ContainerFile> files = spec.files()
			.stream()
			.map((file) -> ContainerFile.newBuilder()
				.setName(file.name())
				.setContent(ByteString.copyFrom(file.content()))
				.setTarget(file.target())
				.setReadOnly(file.readOnly())
				.build())
			.toList();
		return new RuntimeSpec(spec.spec(), files);
	}

	/**
	 * The container's process with the exec's command, terminal, environment (added to the
	 * container's) and working directory; a privileged exec gets a privileged container's
	 * capabilities.
	 */
	@Override
	public ObjectNode execProcess(Container container, ExecConfig exec) {
		Container base = container;
		if (exec.privileged()) {
			ObjectNode privileged = container.hostConfigJson().deepCopy();
			privileged.put("Privileged", true);
			base = new Container(container.id(), container.name(), container.image(), container.imageId(),
					container.node(), container.created(), container.configJson(), privileged,
					container.networkingConfigJson(), container.labels(), container.autoRemove(), container.state());
		}
		ObjectNode process = (ObjectNode) specFor(base).oci().get("process").deepCopy();
		process.set("args", SpecJson.strings(exec.cmd()));
		process.put("terminal", exec.tty());
		List<String> env = new ArrayList<>();
		for (JsonNode variable : process.path("env")) {
			env.add(variable.asString());
		}
		List<String> withExec = EnvList.replaceOrAppend(env, (exec.env() != null) ? exec.env() : List.of());
		process.set("env", SpecJson.strings(withExec));
		if (exec.workingDir() != null && !exec.workingDir().isEmpty()) {
			process.put("cwd", exec.workingDir());
		}
		return process;
	}

}
