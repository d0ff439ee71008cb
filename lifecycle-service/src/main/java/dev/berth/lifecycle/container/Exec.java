package dev.berth.lifecycle.container;

import tools.jackson.databind.node.ObjectNode;

/** One stored exec instance: its request as the client sent it, and how far it got. */
public record Exec(String id, String containerId, ObjectNode configJson, ExecState state) {

	public ExecConfig config() {
		return DockerJson.view(this.configJson, ExecConfig.class);
	}

	/** @param exitCode null until the process has exited, as Docker's ExecInspect reports it */
	public record ExecState(boolean running, Integer exitCode, int pid) {

		static final ExecState CREATED = new ExecState(false, null, 0);

	}

}
