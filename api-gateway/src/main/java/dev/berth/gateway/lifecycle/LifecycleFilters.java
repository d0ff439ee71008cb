package dev.berth.gateway.lifecycle;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.berth.contracts.lifecycle.v1.FilterValues;
import dev.berth.gateway.api.Filters;
import dev.berth.gateway.api.JsonBodies;

/** Docker's {@code filters} parameter, in either form clients send it, as lifecycle-service takes it. */
public final class LifecycleFilters {

	private LifecycleFilters() {
	}

	public static Map<String, FilterValues> parse(JsonBodies json, String filters) {
		Map<String, FilterValues> values = new LinkedHashMap<>();
		Filters.parse(json, filters)
			.forEach((name, list) -> values.put(name, FilterValues.newBuilder().addAllValues(list).build()));
		return values;
	}

}
