package dev.berth.lifecycle.task;

import java.util.List;

import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.ContainerFile;
import dev.berth.contracts.agent.v1.Resources;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ExecConfig;
import dev.berth.lifecycle.container.HostConfig;

/** What a container runs: Docker's config merged with its image's, and the OCI spec made of it. */
public interface RuntimeSpecs {

	/** The container's {@code Config} as Docker stores it: the client's, with the image's filled in. */
	ObjectNode mergeImageConfig(ObjectNode config, ObjectNode imageConfig);

	/**
	 * The Config Docker stores for a container just created, once its ID exists: {@code Hostname} filled in (the
	 * client's, the host's name with host networking, else the short ID) and {@code Domainname} as sent.
	 */
	ObjectNode withHostname(Container container);

	/**
	 * The OCI spec and the files the node binds into the container.
	 * @throws dev.berth.lifecycle.InvalidArgumentException for settings Docker refuses
	 */
	RuntimeSpec specFor(Container container);

	/** The OCI process of a {@code docker exec}: the container's, with the exec's command and settings. */
	ObjectNode execProcess(Container container, ExecConfig exec);

	/**
	 * Checks the limits a {@code docker update} asks for, as dockerd checks them.
	 * @param requested the update's body read as a HostConfig: only the fields it sets
	 * @return Docker's warnings about limits this host drops
	 * @throws dev.berth.lifecycle.InvalidArgumentException for limits Docker refuses
	 */
	List<String> verifyUpdate(HostConfig requested);

	/** The cgroup limits of the container's HostConfig, as the node applies them to its running task. */
	Resources nodeResources(Container container);

	/** @param oci the runtime spec, without {@code process.user}: the node resolves Config.User */
	record RuntimeSpec(ObjectNode oci, List<ContainerFile> files) {
	}

}
