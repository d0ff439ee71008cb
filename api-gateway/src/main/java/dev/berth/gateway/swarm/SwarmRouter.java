package dev.berth.gateway.swarm;

import java.util.List;
import java.util.Set;

import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import dev.berth.gateway.api.Filters;
import dev.berth.gateway.api.JsonBodies;

/**
 * Swarm mode and managed plugins: dockerd features that a Berth node does not have, answered as a dockerd answers
 * them while they are inactive, so that clients print the message they know ({@code docker node ls}: "This node is
 * not a swarm manager…", {@code docker plugin ls}: an empty list) instead of failing on a 404. Every route is here,
 * method by method as dockerd declares them; another method on these paths is dockerd's 404 "page not found".
 */
@RestController
class SwarmRouter {

	// the operations dockerd has on a named plugin, POST /plugins/{name}/{operation}
	private static final Set<String> PLUGIN_OPERATIONS = Set.of("enable", "disable", "push", "set", "upgrade");

	private final JsonBodies json;

	SwarmRouter(JsonBodies json) {
		this.json = json;
	}

	@GetMapping({ "/swarm", "/swarm/unlockkey", "/nodes", "/nodes/{id}", "/services", "/services/{id}",
			"/services/{id}/logs", "/tasks", "/tasks/{id}", "/tasks/{id}/logs", "/secrets", "/secrets/{id}", "/configs",
			"/configs/{id}" })
	void read() {
		throw InactiveFeatureException.notASwarmManager();
	}

	@PostMapping({ "/swarm/update", "/swarm/unlock", "/nodes/{id}/update", "/services/create", "/services/{id}/update",
			"/secrets/create", "/secrets/{id}/update", "/configs/create", "/configs/{id}/update" })
	void change() {
		throw InactiveFeatureException.notASwarmManager();
	}

	@DeleteMapping({ "/nodes/{id}", "/services/{id}", "/secrets/{id}", "/configs/{id}" })
	void remove() {
		throw InactiveFeatureException.notASwarmManager();
	}

	@PostMapping("/swarm/leave")
	void leave() {
		throw InactiveFeatureException.notInASwarm();
	}

	@PostMapping({ "/swarm/init", "/swarm/join" })
	void join() {
		throw InactiveFeatureException.swarmModeUnsupported();
	}

	/** No plugin is installed; the filters are still read, so a malformed one is refused as on any list. */
	@GetMapping("/plugins")
	List<Object> plugins(@RequestParam(required = false) String filters) {
		Filters.parse(this.json, filters);
		return List.of();
	}

	@GetMapping("/plugins/privileges")
	void privileges() {
		throw InactiveFeatureException.pluginsUnsupported();
	}

	@PostMapping({ "/plugins/pull", "/plugins/create" })
	void install() {
		throw InactiveFeatureException.pluginsUnsupported();
	}

	// plugin names hold slashes and a tag (vieux/sshfs:latest): the rest of the path is the name and an operation
	@GetMapping("/plugins/{*path}")
	void inspect(@PathVariable String path) throws NoResourceFoundException {
		throw noSuchPlugin(HttpMethod.GET, path, Set.of("json"));
	}

	@PostMapping("/plugins/{*path}")
	void operate(@PathVariable String path) throws NoResourceFoundException {
		throw noSuchPlugin(HttpMethod.POST, path, PLUGIN_OPERATIONS);
	}

	@DeleteMapping("/plugins/{*path}")
	void removePlugin(@PathVariable String path) {
		throw InactiveFeatureException.noSuchPlugin(path.substring(1));
	}

	private static InactiveFeatureException noSuchPlugin(HttpMethod method, String path, Set<String> operations)
			throws NoResourceFoundException {
		int slash = path.lastIndexOf('/');
		if (slash <= 0 || !operations.contains(path.substring(slash + 1))) {
			throw new NoResourceFoundException(method, "/plugins" + path, "no route");
		}
		return InactiveFeatureException.noSuchPlugin(path.substring(1, slash));
	}

}
