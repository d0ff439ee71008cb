package dev.berth.engine.image;

import java.util.HashSet;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How dockerd completes a committed image's config from the container's: the request's config
 * (after its changes) wins field by field, and what it leaves unset comes from the container.
 * Lists and maps merge rather than replace: the container's environment variables, ports, labels
 * and volumes the request does not name are kept. {@code Cmd} and {@code Entrypoint} go
 * together: an entrypoint given alone keeps no command of the container's. Fields outside this
 * list ({@code Hostname}, {@code Tty}…) are the request's alone, as in dockerd.
 */
final class CommitConfigMerge {

	private static final String[] HEALTHCHECK_DURATIONS = { "Interval", "Timeout", "StartPeriod", "StartInterval" };

	private CommitConfigMerge() {
	}

	/** Fills {@code user} (the request's config, changed in place) from {@code container}'s. */
	static void merge(ObjectNode user, ObjectNode container) {
		inheritIfEmpty(user, container, "User");
		unionOfKeys(user, container, "ExposedPorts");
		environment(user, container);
		labels(user, container);
		if (isEmpty(user.get("Entrypoint"))) {
			if (isEmpty(user.get("Cmd"))) {
				copy(user, container, "Cmd");
			}
			// an explicitly empty entrypoint stays empty; only an unset one is inherited
			if (isNull(user.get("Entrypoint"))) {
				copy(user, container, "Entrypoint");
			}
		}
		healthcheck(user, container);
		inheritIfEmpty(user, container, "WorkingDir");
		unionOfKeys(user, container, "Volumes");
		inheritIfEmpty(user, container, "StopSignal");
	}

	private static void environment(ObjectNode user, ObjectNode container) {
		if (isEmpty(user.get("Env"))) {
			copy(user, container, "Env");
			return;
		}
		ArrayNode env = (ArrayNode) user.get("Env");
		Set<String> names = new HashSet<>();
		env.valueStream().forEach((variable) -> names.add(name(variable.asString(""))));
		for (JsonNode variable : container.path("Env").values()) {
			if (!names.contains(name(variable.asString("")))) {
				env.add(variable.asString(""));
			}
		}
	}

	private static String name(String variable) {
		int equals = variable.indexOf('=');
		return (equals >= 0) ? variable.substring(0, equals) : variable;
	}

	/** Labels always end up an object, perhaps empty, as dockerd's merge makes them. */
	private static void labels(ObjectNode user, ObjectNode container) {
		ObjectNode labels = (user.get("Labels") instanceof ObjectNode own) ? own : user.putObject("Labels");
		container.path("Labels").properties().forEach((label) -> {
			if (!labels.has(label.getKey())) {
				labels.set(label.getKey(), label.getValue());
			}
		});
	}

	/** Maps used as sets (ports, volumes): the request's, plus the container's it lacks. */
	private static void unionOfKeys(ObjectNode user, ObjectNode container, String field) {
		if (isEmpty(user.get(field))) {
			copy(user, container, field);
			return;
		}
		ObjectNode keys = (ObjectNode) user.get(field);
		container.path(field).properties().forEach((key) -> {
			if (!keys.has(key.getKey())) {
				keys.set(key.getKey(), key.getValue());
			}
		});
	}

	/** The container's health check fills in what the request's leaves at zero. */
	private static void healthcheck(ObjectNode user, ObjectNode container) {
		if (!(container.get("Healthcheck") instanceof ObjectNode inherited)) {
			return;
		}
		if (!(user.get("Healthcheck") instanceof ObjectNode own)) {
			user.set("Healthcheck", inherited.deepCopy());
			return;
		}
		if (isEmpty(own.get("Test"))) {
			copy(own, inherited, "Test");
		}
		for (String duration : HEALTHCHECK_DURATIONS) {
			if (own.path(duration).asLong(0) == 0) {
				copy(own, inherited, duration);
			}
		}
		if (own.path("Retries").asInt(0) == 0) {
			copy(own, inherited, "Retries");
		}
	}

	private static void inheritIfEmpty(ObjectNode user, ObjectNode container, String field) {
		if (user.path(field).asString("").isEmpty()) {
			copy(user, container, field);
		}
	}

	/** Copies a field the container has; one it lacks leaves the request's as it was. */
	private static void copy(ObjectNode to, ObjectNode from, String field) {
		JsonNode value = from.get(field);
		if (value != null) {
			to.set(field, value.deepCopy());
		}
	}

	private static boolean isNull(JsonNode node) {
		return node == null || node.isNull();
	}

	/** Go's {@code len(x) == 0}: absent, null, or an empty list or map. */
	private static boolean isEmpty(JsonNode node) {
		return isNull(node) || (node.isContainer() && node.isEmpty());
	}

}
