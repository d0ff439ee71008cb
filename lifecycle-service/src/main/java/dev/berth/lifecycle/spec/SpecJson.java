package dev.berth.lifecycle.spec;

import java.util.Collection;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Builds and reads the JSON trees of this package: the OCI spec and Docker's seccomp profiles. */
final class SpecJson {

	static final JsonMapper MAPPER = JsonMapper.builder().build();

	private SpecJson() {
	}

	static ObjectNode object() {
		return JsonNodeFactory.instance.objectNode();
	}

	static ArrayNode strings(Collection<String> values) {
		ArrayNode array = JsonNodeFactory.instance.arrayNode();
		values.forEach(array::add);
		return array;
	}

	/** The text of a string field, or {@code absent} when it is missing, null or not a string. */
	static String text(JsonNode node, String field, String absent) {
		JsonNode value = (node != null) ? node.get(field) : null;
		return (value != null && value.isString()) ? value.stringValue() : absent;
	}

}
