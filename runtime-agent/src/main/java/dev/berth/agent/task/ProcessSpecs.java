package dev.berth.agent.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.berth.agent.container.ContainerDirectories;
import dev.berth.agent.user.ProcessUsers;
import dev.berth.contracts.agent.v1.CreateRequest;
import dev.berth.contracts.agent.v1.ExecRequest;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;

/**
 * What the agent adds to the spec a caller sends before the shim gets it: the container's files
 * as bind mounts, and the process's user resolved from the container's own root filesystem.
 */
@Component
class ProcessSpecs {

	private final ContainerDirectories directories;

	private final Bundles bundles;

	ProcessSpecs(ContainerDirectories directories, Bundles bundles) {
		this.directories = directories;
		this.bundles = bundles;
	}

	/** Completes a container's spec in place; {@code rootfs} is its root filesystem, in place. */
	@SuppressWarnings("unchecked")
	void completeContainer(CreateRequest request, Map<String, Object> spec, Path rootfs) {
		List<ContainerDirectories.FileMount> files = this.directories.writeFiles(request.getContainerId(),
				request.getFilesList());
		if (!files.isEmpty()) {
			// after the spec's own mounts: the files cover what the image has at their targets
			List<Object> mounts = new ArrayList<>((List<Object>) spec.getOrDefault("mounts", List.of()));
			for (ContainerDirectories.FileMount file : files) {
				List<String> options = new ArrayList<>(List.of("rbind", "rprivate"));
				if (file.readOnly()) {
					options.add("ro");
				}
				mounts.add(Json.obj("destination", file.target(), "type", "bind", "source", file.source().toString(),
						"options", options));
			}
			spec.put("mounts", mounts);
		}
		Object process = spec.get("process");
		if (process instanceof Map<?, ?> map) {
			spec.put("process", ProcessUsers.apply((Map<String, Object>) map, request.getUser(),
					request.getGroupAddList(), rootfs));
		}
	}

	/** An exec's process as JSON, its user resolved in the running container's root filesystem. */
	String execProcess(ExecRequest request) {
		Map<String, Object> process = JsonObject.parse(request.getProcessJson().toStringUtf8()).fields();
		return Json.write(ProcessUsers.apply(process, request.getUser(), request.getGroupAddList(),
				this.bundles.rootfs(request.getContainerId())));
	}

}
