package dev.berth.gateway.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Docker's {@code filters} query parameter, in both of the forms clients send: the map of sets the CLI sends
 * ({@code {"dangling":{"true":true}}}) and the older lists that docker-py still sends ({@code {"dangling":["true"]}}).
 * Which filters exist is the service's business; this only reads the shape.
 */
public final class Filters {

	private Filters() {
	}

	/** Each filter's values, in the order sent; an absent or empty parameter is no filter. */
	public static Map<String, List<String>> parse(JsonBodies json, String parameter) {
		Map<String, List<String>> filters = new LinkedHashMap<>();
		if (parameter == null || parameter.isEmpty()) {
			return filters;
		}
		JsonNode root;
		try {
			root = json.tree(parameter);
		}
		catch (JacksonException ex) {
			throw new InvalidParameterException("invalid filters: " + ex.getOriginalMessage());
		}
		if (!root.isObject()) {
			throw new InvalidParameterException("invalid filters: not a JSON object: " + parameter);
		}
		for (Map.Entry<String, JsonNode> filter : root.properties()) {
			List<String> values = new ArrayList<>();
			JsonNode value = filter.getValue();
			if (value.isObject()) {
				// a set: the keys are the values (dockerd reads the booleans but never looks at them)
				values.addAll(value.propertyNames());
			}
			else if (value.isArray()) {
				for (JsonNode element : value) {
					if (!element.isString()) {
						throw new InvalidParameterException("invalid filters: values of " + filter.getKey() + " must be strings");
					}
					values.add(element.asString());
				}
			}
			else {
				throw new InvalidParameterException(
						"invalid filters: " + filter.getKey() + " must be a set or a list of values");
			}
			filters.put(filter.getKey(), values);
		}
		return filters;
	}

}
