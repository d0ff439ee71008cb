package dev.berth.gateway.swarm;

import org.springframework.http.HttpStatus;

import dev.berth.gateway.api.ApiException;

/**
 * A request for swarm mode or a managed plugin, which a Berth node does not have: answered with the status and words
 * of a dockerd on which they are inactive (checked against dockerd 20.10), and 501 where such a dockerd would start
 * one (swarm init and join, plugin install).
 */
class InactiveFeatureException extends ApiException {

	private InactiveFeatureException(HttpStatus status, String message) {
		super(status, message);
	}

	/** What dockerd answers every swarm manager route while the node is in no swarm. */
	static InactiveFeatureException notASwarmManager() {
		return new InactiveFeatureException(HttpStatus.SERVICE_UNAVAILABLE, "This node is not a swarm manager. Use"
				+ " \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.");
	}

	static InactiveFeatureException notInASwarm() {
		return new InactiveFeatureException(HttpStatus.SERVICE_UNAVAILABLE, "This node is not part of a swarm");
	}

	static InactiveFeatureException swarmModeUnsupported() {
		return new InactiveFeatureException(HttpStatus.NOT_IMPLEMENTED,
				"Berth does not support swarm mode: this node cannot init or join a swarm");
	}

	static InactiveFeatureException pluginsUnsupported() {
		return new InactiveFeatureException(HttpStatus.NOT_IMPLEMENTED,
				"Berth does not support managed plugins: none can be installed or created");
	}

	/** No plugin is installed, so every name is unknown. */
	static InactiveFeatureException noSuchPlugin(String name) {
		return new InactiveFeatureException(HttpStatus.NOT_FOUND, "plugin \"" + name + "\" not found");
	}

}
