package dev.berth.lifecycle.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Environment lists ({@code NAME=value} strings), merged by name as Docker merges them. */
final class EnvList {

	private EnvList() {
	}

	/** The part before the first {@code =}: the whole entry when it has none. */
	static String name(String variable) {
		int equals = variable.indexOf('=');
		return (equals < 0) ? variable : variable.substring(0, equals);
	}

	/**
	 * {@code defaults} with each of {@code overrides} replacing the default of its name in place,
	 * or appended. An override without {@code =} removes the variable, as {@code docker run -e NAME}
	 * does for a name the engine has no value for.
	 */
	static List<String> replaceOrAppend(List<String> defaults, List<String> overrides) {
		Map<String, String> byName = new LinkedHashMap<>();
		defaults.forEach((variable) -> byName.put(name(variable), variable));
		for (String variable : overrides) {
			if (variable.indexOf('=') < 0) {
				byName.remove(variable);
			}
			else {
				byName.put(name(variable), variable);
			}
		}
		return new ArrayList<>(byName.values());
	}

}
