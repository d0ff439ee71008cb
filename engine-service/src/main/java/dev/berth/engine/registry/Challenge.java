package dev.berth.engine.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code WWW-Authenticate} challenge: {@code Bearer realm="…",service="…",scope="…"} or
 * {@code Basic realm="…"}. Parameters are quoted strings that may hold commas, so they are
 * scanned rather than split.
 */
record Challenge(String scheme, Map<String, String> parameters) {

	static Challenge parse(String header) {
		if (header == null || header.isBlank()) {
			return null;
		}
		String value = header.trim();
		int space = value.indexOf(' ');
		String scheme = ((space < 0) ? value : value.substring(0, space)).toLowerCase(Locale.ROOT);
		Map<String, String> parameters = new LinkedHashMap<>();
		int i = (space < 0) ? value.length() : space + 1;
		while (i < value.length()) {
			while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == ',')) {
				i++;
			}
			int equals = value.indexOf('=', i);
			if (equals < 0) {
				break;
			}
			String name = value.substring(i, equals).trim().toLowerCase(Locale.ROOT);
			i = equals + 1;
			StringBuilder parameter = new StringBuilder();
			if (i < value.length() && value.charAt(i) == '"') {
				i++;
				while (i < value.length() && value.charAt(i) != '"') {
					if (value.charAt(i) == '\\' && i + 1 < value.length()) {
						i++;
					}
					parameter.append(value.charAt(i++));
				}
				i++;
			}
			else {
				while (i < value.length() && value.charAt(i) != ',') {
					parameter.append(value.charAt(i++));
				}
			}
			parameters.put(name, parameter.toString().trim());
		}
		return new Challenge(scheme, parameters);
	}

	boolean isBearer() {
		return "bearer".equals(this.scheme);
	}

	boolean isBasic() {
		return "basic".equals(this.scheme);
	}

	String parameter(String name) {
		return this.parameters.get(name);
	}

}
