package dev.berth.runtime.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags the way runc takes them: {@code --name value}, {@code --name=value},
 * {@code -n value}, boolean {@code --detach}/{@code -d}; flags stop at the first positional
 * argument once the command wants a trailing command line (exec's {@code id cmd args…}).
 */
final class Args {

	private final Map<String, List<String>> values = new LinkedHashMap<>();

	private final List<String> positional = new ArrayList<>();

	/**
	 * @param valued flag names that take a value (long names; short aliases map to them)
	 * @param aliases short name to long name
	 * @param stopAtPositional whether flags end at the first positional argument
	 */
	static Args parse(List<String> args, Set<String> valued, Map<String, String> aliases, boolean stopAtPositional) {
		Args parsed = new Args();
		for (int i = 0; i < args.size(); i++) {
			String arg = args.get(i);
			if (arg.equals("--")) {
				parsed.positional.addAll(args.subList(i + 1, args.size()));
				break;
			}
			if (arg.startsWith("-") && arg.length() > 1 && !(stopAtPositional && !parsed.positional.isEmpty())) {
				String name = arg.replaceFirst("^--?", "");
				String value = null;
				int eq = name.indexOf('=');
				if (eq >= 0) {
					value = name.substring(eq + 1);
					name = name.substring(0, eq);
				}
				name = aliases.getOrDefault(name, name);
				if (valued.contains(name)) {
					if (value == null) {
						if (i + 1 >= args.size()) {
							throw new UsageException("flag needs an argument: --" + name);
						}
						value = args.get(++i);
					}
				}
				else if (value == null) {
					value = "true";
				}
				parsed.values.computeIfAbsent(name, (k) -> new ArrayList<>()).add(value);
			}
			else {
				parsed.positional.add(arg);
			}
		}
		return parsed;
	}

	String get(String name, String orElse) {
		List<String> list = this.values.get(name);
		return (list != null) ? list.get(list.size() - 1) : orElse;
	}

	List<String> all(String name) {
		return this.values.getOrDefault(name, List.of());
	}

	boolean flag(String name) {
		return Boolean.parseBoolean(get(name, "false"));
	}

	Set<String> names() {
		return this.values.keySet();
	}

	List<String> positional() {
		return this.positional;
	}

	static final class UsageException extends RuntimeException {

		UsageException(String message) {
			super(message);
		}

	}

}
