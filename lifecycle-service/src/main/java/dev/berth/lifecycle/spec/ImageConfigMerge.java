package dev.berth.lifecycle.spec;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;

/**
 * Docker's create-time merge of an image's config into the container's {@code Config}: what
 * the client left out comes from the image, so the stored Config (and {@code docker inspect})
 * shows what will run. Field by field as dockerd merges them: User, WorkingDir and StopSignal
 * when empty; Env by variable name and Labels by key, the container's winning; ExposedPorts and
 * Volumes as unions; Healthcheck field by field; Cmd and Entrypoint together, so that a
 * container that names its own Entrypoint does not inherit the image's Cmd as arguments.
 * Domainname, Shell and OnBuild are not merged: dockerd leaves them as the client sent them.
 *
 * <p>The client's Config is validated first, in dockerd's words: WorkingDir must be absolute
 * (and is cleaned), StopSignal must name a signal, Env names must not be empty, Healthcheck
 * durations must be at least 1 ms.
 */
public final class ImageConfigMerge {

	/** Docker's {@code MinimumDuration} for health check intervals and timeouts, in nanoseconds. */
	private static final long MINIMUM_HEALTHCHECK_NANOS = 1_000_000;

	/** Healthcheck's numbers: zero inherits the image's. The durations come first. */
	private static final List<String> HEALTHCHECK_NUMBERS = List.of("Interval", "Timeout", "StartPeriod",
			"StartInterval", "Retries");

	private static final List<String> HEALTHCHECK_DURATIONS = HEALTHCHECK_NUMBERS.subList(0, 4);

	private ImageConfigMerge() {
	}

	/**
	 * Merges {@code imageConfig} into a copy of {@code containerConfig}.
	 *
	 * @param containerConfig the request's {@code Config}, in Docker's PascalCase; not modified
	 * @param imageConfig the image's config blob (an OCI/Docker image config whose {@code config}
	 * object holds Env, Cmd, …), or null for an image without one
	 * @return the Config to store and run
	 * @throws InvalidArgumentException in dockerd's words, when the Config is invalid or nothing
	 * is left to run ("No command specified")
	 */
	public static ObjectNode merge(ObjectNode containerConfig, ObjectNode imageConfig) {
		ObjectNode config = containerConfig.deepCopy();
		validate(config);
		JsonNode image = (imageConfig != null) ? imageConfig.get("config") : null;
		if (image instanceof ObjectNode imageObject) {
			mergeImage(config, imageObject);
		}
		JsonNode entrypoint = config.get("Entrypoint");
		// Docker reads an Entrypoint of one empty string as "no entrypoint at all"
		if (entrypoint != null && entrypoint.isArray() && entrypoint.size() == 1
				&& entrypoint.get(0).asString().isEmpty()) {
			config.putNull("Entrypoint");
		}
		if (isEmpty(config.get("Entrypoint")) && isEmpty(config.get("Cmd"))) {
			throw new InvalidArgumentException("No command specified");
		}
		return config;
	}

	private static void mergeImage(ObjectNode config, ObjectNode image) {
		inheritIfBlank(config, image, "User");
		mergeSet(config, image, "ExposedPorts");
		mergeEnv(config, image);
		mergeLabels(config, image);
		mergeCommand(config, image);
		mergeHealthcheck(config, image);
		inheritIfBlank(config, image, "WorkingDir");
		mergeSet(config, image, "Volumes");
		inheritIfBlank(config, image, "StopSignal");
	}

	private static void inheritIfBlank(ObjectNode config, ObjectNode image, String field) {
		if (SpecJson.text(config, field, "").isEmpty() && image.hasNonNull(field)) {
			config.set(field, image.get(field).deepCopy());
		}
	}

	/** ExposedPorts and Volumes are maps used as sets: the union of both. */
	private static void mergeSet(ObjectNode config, ObjectNode image, String field) {
		JsonNode imageSet = image.get(field);
		if (!(imageSet instanceof ObjectNode imageObject) || imageObject.isEmpty()) {
			return;
		}
		JsonNode own = config.get(field);
		if (!(own instanceof ObjectNode ownObject) || ownObject.isEmpty()) {
			config.set(field, imageObject.deepCopy());
			return;
		}
		for (String key : imageObject.propertyNames()) {
			if (!ownObject.has(key)) {
				ownObject.set(key, imageObject.get(key).deepCopy());
			}
		}
	}

	/** The image's variables the container does not set itself, after the container's own. */
	private static void mergeEnv(ObjectNode config, ObjectNode image) {
		JsonNode imageEnv = image.get("Env");
		if (imageEnv == null || !imageEnv.isArray()) {
			return;
		}
		if (isEmpty(config.get("Env"))) {
			config.set("Env", imageEnv.deepCopy());
			return;
		}
		ArrayNode env = (ArrayNode) config.get("Env");
		Set<String> names = new LinkedHashSet<>();
		env.forEach((variable) -> names.add(EnvList.name(variable.asString())));
		for (JsonNode variable : imageEnv) {
			if (!names.contains(EnvList.name(variable.asString()))) {
				env.add(variable.deepCopy());
			}
		}
	}

	private static void mergeLabels(ObjectNode config, ObjectNode image) {
		ObjectNode labels = (config.get("Labels") instanceof ObjectNode own) ? own : config.putObject("Labels");
		if (image.get("Labels") instanceof ObjectNode imageLabels) {
			for (String key : imageLabels.propertyNames()) {
				if (!labels.has(key)) {
					labels.set(key, imageLabels.get(key).deepCopy());
				}
			}
		}
	}

	/**
	 * An Entrypoint of the container's own replaces the image's pair entirely. Without one, a
	 * missing Cmd takes the image's, and a missing (not empty: {@code --entrypoint ""} clears it)
	 * Entrypoint takes the image's.
	 */
	private static void mergeCommand(ObjectNode config, ObjectNode image) {
		if (!isEmpty(config.get("Entrypoint"))) {
			return;
		}
		if (isEmpty(config.get("Cmd")) && image.has("Cmd")) {
			config.set("Cmd", image.get("Cmd").deepCopy());
		}
		if (!config.hasNonNull("Entrypoint") && image.has("Entrypoint")) {
			config.set("Entrypoint", image.get("Entrypoint").deepCopy());
		}
	}

	private static void mergeHealthcheck(ObjectNode config, ObjectNode image) {
		if (!(image.get("Healthcheck") instanceof ObjectNode imageCheck)) {
			return;
		}
		if (!(config.get("Healthcheck") instanceof ObjectNode check)) {
			config.set("Healthcheck", imageCheck.deepCopy());
			return;
		}
		if (isEmpty(check.get("Test")) && imageCheck.has("Test")) {
			check.set("Test", imageCheck.get("Test").deepCopy());
		}
		for (String field : HEALTHCHECK_NUMBERS) {
			if (check.path(field).asLong(0) == 0 && imageCheck.has(field)) {
				check.set(field, imageCheck.get(field).deepCopy());
			}
		}
	}

	private static void validate(ObjectNode config) {
		String workingDir = SpecJson.text(config, "WorkingDir", "");
		if (!workingDir.isEmpty()) {
			if (!workingDir.startsWith("/")) {
				throw new InvalidArgumentException(
						"the working directory '" + workingDir + "' is invalid, it needs to be an absolute path");
			}
			config.put("WorkingDir", ContainerPaths.clean(workingDir));
		}
		String stopSignal = SpecJson.text(config, "StopSignal", "");
		if (!stopSignal.isEmpty()) {
			Signals.parse(stopSignal);
		}
		for (JsonNode variable : config.path("Env")) {
			if (EnvList.name(variable.asString()).isEmpty()) {
				throw new InvalidArgumentException("invalid environment variable: " + variable.asString());
			}
		}
		if (config.get("Healthcheck") instanceof ObjectNode check) {
			validateHealthcheck(check);
		}
	}

	private static void validateHealthcheck(ObjectNode check) {
		for (String field : HEALTHCHECK_DURATIONS) {
			long nanos = check.path(field).asLong(0);
			if (nanos != 0 && nanos < MINIMUM_HEALTHCHECK_NANOS) {
				throw new InvalidArgumentException(field + " in Healthcheck cannot be less than 1ms");
			}
		}
		if (check.path("Retries").asLong(0) < 0) {
			throw new InvalidArgumentException("Retries in Healthcheck cannot be negative");
		}
	}

	private static boolean isEmpty(JsonNode node) {
		return node == null || node.isNull() || (node.isArray() && node.isEmpty());
	}

}
