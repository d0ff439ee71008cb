package dev.berth.lifecycle.spec;

import java.util.List;

import tools.jackson.databind.node.ObjectNode;

/**
 * What the runtime agent needs to create a container: the OCI runtime spec and the files it
 * writes and mounts, plus Docker's warnings for the create response.
 *
 * @param spec the OCI runtime spec ({@code config.json}); {@code root.path} is {@code rootfs},
 * which the agent replaces with the prepared snapshot; {@code process.user} is absent, the
 * agent resolves {@code Config.User} and {@code GroupAdd} in the container's root file system
 * @param files /etc/hostname, /etc/hosts and /etc/resolv.conf (those the client did not mount
 * over)
 * @param warnings what Docker warns about at create (a limit the host cannot enforce, …)
 */
public record ContainerSpec(ObjectNode spec, List<MountedFile> files, List<String> warnings) {

	public ContainerSpec {
		files = List.copyOf(files);
		warnings = List.copyOf(warnings);
	}

	/** The spec as the agent's {@code CreateRequest.spec_json} carries it. */
	public byte[] specJson() {
		return SpecJson.MAPPER.writeValueAsBytes(this.spec);
	}

}
