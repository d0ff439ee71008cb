package dev.berth.runtime.spec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A parsed JSON object that knows where it sits in its document, so every error names the field:
 * {@code process.user.uid: expected an integer, got "root"}.
 */
public record JsonObject(String path, Map<String, Object> fields) {

	@SuppressWarnings("unchecked")
	public static JsonObject parse(String json) {
		Object value = Json.parse(json);
		if (!(value instanceof Map)) {
			throw new SpecException("the document must be a JSON object");
		}
		return new JsonObject("", (Map<String, Object>) value);
	}

	public boolean has(String name) {
		return this.fields.get(name) != null;
	}

	String fieldPath(String name) {
		return this.path.isEmpty() ? name : this.path + "." + name;
	}

	public String string(String name, String orElse) {
		Object value = this.fields.get(name);
		if (value == null) {
			return orElse;
		}
		if (value instanceof String s) {
			return s;
		}
		throw wrongType(name, "a string", value);
	}

	public String requiredString(String name) {
		String value = string(name, null);
		if (value == null) {
			throw new SpecException(fieldPath(name) + ": required");
		}
		return value;
	}

	public boolean bool(String name, boolean orElse) {
		Object value = this.fields.get(name);
		if (value == null) {
			return orElse;
		}
		if (value instanceof Boolean b) {
			return b;
		}
		throw wrongType(name, "true or false", value);
	}

	public Long integer(String name) {
		Object value = this.fields.get(name);
		if (value == null) {
			return null;
		}
		if (value instanceof Long l) {
			return l;
		}
		if (value instanceof BigDecimal big && big.signum() > 0 && big.scale() <= 0
				&& big.toBigInteger().bitLength() <= 64) {
			// uint64 values beyond Long.MAX_VALUE (an "unlimited" rlimit, say) keep their bits
			return big.toBigInteger().longValue();
		}
		throw wrongType(name, "an integer", value);
	}

	public long integer(String name, long orElse) {
		Long value = integer(name);
		return (value != null) ? value : orElse;
	}

	public JsonObject object(String name) {
		Object value = this.fields.get(name);
		if (value == null) {
			return null;
		}
		return asObject(fieldPath(name), value);
	}

	public List<String> strings(String name) {
		return list(name, (item) -> {
			if (item.value() instanceof String s) {
				return s;
			}
			throw new SpecException(item.path() + ": expected a string, got " + describe(item.value()));
		});
	}

	public List<Long> integers(String name) {
		return list(name, (item) -> {
			if (item.value() instanceof Long l) {
				return l;
			}
			throw new SpecException(item.path() + ": expected an integer, got " + describe(item.value()));
		});
	}

	public <T> List<T> objects(String name, Function<JsonObject, T> reader) {
		return list(name, (item) -> reader.apply(asObject(item.path(), item.value())));
	}

	public Map<String, String> stringMap(String name) {
		JsonObject object = object(name);
		Map<String, String> map = new LinkedHashMap<>();
		if (object != null) {
			for (String key : object.fields.keySet()) {
				map.put(key, object.string(key, ""));
			}
		}
		return map;
	}

	private <T> List<T> list(String name, Function<Item, T> reader) {
		Object value = this.fields.get(name);
		if (value == null) {
			return List.of();
		}
		if (!(value instanceof List<?> items)) {
			throw wrongType(name, "an array", value);
		}
		List<T> result = new ArrayList<>(items.size());
		for (int i = 0; i < items.size(); i++) {
			result.add(reader.apply(new Item(fieldPath(name) + "[" + i + "]", items.get(i))));
		}
		return List.copyOf(result);
	}

	@SuppressWarnings("unchecked")
	private static JsonObject asObject(String path, Object value) {
		if (value instanceof Map<?, ?> map) {
			return new JsonObject(path, (Map<String, Object>) map);
		}
		throw new SpecException(path + ": expected an object, got " + describe(value));
	}

	private SpecException wrongType(String name, String expected, Object value) {
		return new SpecException(fieldPath(name) + ": expected " + expected + ", got " + describe(value));
	}

	private static String describe(Object value) {
		String text = Json.write(value);
		return (text.length() > 40) ? text.substring(0, 40) + "…" : text;
	}

	private record Item(String path, Object value) {
	}

}
