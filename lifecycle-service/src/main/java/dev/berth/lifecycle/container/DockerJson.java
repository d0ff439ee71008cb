package dev.berth.lifecycle.container;

import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;

/**
 * Reads and writes Docker's JSON. Fields this engine does not know yet are ignored when reading
 * a typed view, never rejected: clients send fields from every API version, and the raw object
 * is stored anyway.
 */
final class DockerJson {

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		// Docker's Go structs read null and absent alike as the zero value
		.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		// Cmd, Entrypoint and Healthcheck.Test may be one string, which Docker reads as a list of one
		.enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
		.build();

	private DockerJson() {
	}

	/** The typed view of one stored object; a mistyped field is the client's error. */
	static <T> T view(ObjectNode json, Class<T> type) {
		try {
			return MAPPER.treeToValue(json, type);
		}
		catch (JacksonException ex) {
			throw new InvalidArgumentException(type.getSimpleName() + ": " + ex.getOriginalMessage());
		}
	}

	static ObjectNode parseObject(String text) {
		JsonNode node = MAPPER.readTree(text);
		if (!(node instanceof ObjectNode object)) {
			throw new IllegalStateException("stored JSON is not an object: " + text);
		}
		return object;
	}

	static Map<String, String> parseStringMap(String text) {
		return Map.copyOf(MAPPER.readValue(text, new TypeReference<Map<String, String>>() {
		}));
	}

	static String write(Object value) {
		return MAPPER.writeValueAsString(value);
	}

	static ObjectNode emptyObject() {
		return MAPPER.createObjectNode();
	}

}
