package dev.berth.engine.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code docker import --change} and {@code docker commit --change}: Dockerfile instructions
 * applied to an image's container config. The instructions that change only the config are
 * allowed ({@code CMD}, {@code ENTRYPOINT}, {@code ENV}, {@code EXPOSE}, {@code LABEL},
 * {@code ONBUILD}, {@code STOPSIGNAL}, {@code USER}, {@code VOLUME}, {@code WORKDIR}); any other
 * is refused with Docker's {@code run is not a valid change command}. They apply in order, so
 * {@code ENV B=$A} sees an earlier {@code ENV A=1}, as in a Dockerfile. {@code HEALTHCHECK},
 * which Docker also allows, is not supported yet and is refused with a message that says so.
 */
final class ConfigChanges {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Set<String> VALID = Set.of("cmd", "entrypoint", "env", "expose", "label", "onbuild", "stopsignal",
			"user", "volume", "workdir");

	private static final Pattern PORT = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/(\\w+))?");

	private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

	/** Linux signal names without {@code SIG}, as {@code STOPSIGNAL} takes them. */
	private static final Set<String> SIGNALS = Set.of("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT",
			"IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP",
			"TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX");

	private static final Pattern REALTIME = Pattern.compile("RTMIN\\+(\\d+)|RTMAX-(\\d+)");

	private final ObjectNode config;

	/** The environment as the instructions so far left it, for variable expansion. */
	private final Map<String, String> env = new LinkedHashMap<>();

	/** A CMD given before an ENTRYPOINT survives it; otherwise ENTRYPOINT clears the inherited CMD. */
	private boolean cmdSet;

	private ConfigChanges(ObjectNode config) {
		this.config = config;
		for (JsonNode variable : config.path("Env").values()) {
			String text = variable.asString("");
			int equals = text.indexOf('=');
			if (equals > 0) {
				this.env.put(text.substring(0, equals), text.substring(equals + 1));
			}
		}
	}

	/**
	 * Applies {@code changes} to a container config ({@code Cmd}, {@code Env}…, the
	 * {@code config} object of an image config) in place. Throws {@link IllegalArgumentException}
	 * with Docker's wording for an instruction that is not allowed or is malformed.
	 */
	static void apply(List<String> changes, ObjectNode config) {
		ConfigChanges state = new ConfigChanges(config);
		for (String line : instructions(changes)) {
			state.dispatch(line);
		}
	}

	/** Changes as Dockerfile lines: joined, continued lines merged, blanks and comments dropped. */
	private static List<String> instructions(List<String> changes) {
		List<String> lines = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		for (String line : String.join("\n", changes).split("\n", -1)) {
			String trimmed = line.strip();
			if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
				continue;
			}
			if (trimmed.endsWith("\\")) {
				// as in a Dockerfile: the backslash goes, the lines join without a space added
				current.append(trimmed, 0, trimmed.length() - 1);
				continue;
			}
			current.append(trimmed);
			lines.add(current.toString());
			current.setLength(0);
		}
		if (!current.isEmpty()) {
			lines.add(current.toString().strip());
		}
		return lines;
	}

	private void dispatch(String line) {
		String[] parts = line.split("\\s+", 2);
		String instruction = parts[0].toLowerCase(Locale.ROOT);
		String arguments = (parts.length > 1) ? parts[1].strip() : "";
		if (!VALID.contains(instruction)) {
			if (instruction.equals("healthcheck")) {
				throw new IllegalArgumentException("healthcheck is not supported as a change command yet");
			}
			throw new IllegalArgumentException(instruction + " is not a valid change command");
		}
		String name = instruction.toUpperCase(Locale.ROOT);
		switch (instruction) {
			case "cmd" -> {
				this.config.set("Cmd", command(arguments, name));
				this.cmdSet = true;
			}
			case "entrypoint" -> {
				this.config.set("Entrypoint", command(arguments, name));
				if (!this.cmdSet) {
					this.config.putNull("Cmd");
				}
			}
			case "env" -> pairs(arguments, name).forEach((key, value) -> {
				this.env.remove(key);
				this.env.put(key, value);
				ArrayNode list = this.config.putArray("Env");
				this.env.forEach((k, v) -> list.add(k + "=" + v));
			});
			case "label" -> {
				Map<String, String> labels = sortedMap("Labels");
				labels.putAll(pairs(arguments, name));
				ObjectNode node = this.config.putObject("Labels");
				labels.forEach(node::put);
			}
			case "expose" -> expose(arguments);
			case "user" -> this.config.put("User", single(arguments, name));
			case "workdir" -> workdir(single(arguments, name));
			case "volume" -> volume(arguments);
			case "stopsignal" -> this.config.put("StopSignal", signal(single(arguments, name)));
			case "onbuild" -> onBuild(arguments);
			default -> throw new IllegalStateException("unhandled change " + instruction);
		}
	}

	/** {@code ["a","b"]} is used as it is; anything else runs through {@code /bin/sh -c}. */
	private static ArrayNode command(String arguments, String name) {
		ArrayNode exec = jsonArray(arguments);
		if (exec != null) {
			return exec;
		}
		if (arguments.isEmpty()) {
			throw new IllegalArgumentException(name + " requires at least one argument");
		}
		ArrayNode shell = JSON.createArrayNode();
		shell.add("/bin/sh").add("-c").add(arguments);
		return shell;
	}

	/** A JSON array of strings, or null when the text is not one (and so is shell form). */
	private static ArrayNode jsonArray(String text) {
		if (!text.startsWith("[")) {
			return null;
		}
		try {
			JsonNode node = JSON.readTree(text);
			if (node instanceof ArrayNode array && array.valueStream().allMatch(JsonNode::isString)) {
				return array;
			}
		}
		catch (JacksonException ex) {
			// not JSON: shell form, as Docker reads it
		}
		return null;
	}

	/**
	 * {@code ENV a=1 b="two words"} or the old {@code ENV name value with spaces}; names and
	 * values expanded with the environment so far. The same for {@code LABEL}.
	 */
	private Map<String, String> pairs(String arguments, String name) {
		List<String> words = ShellWords.rawWords(arguments);
		if (words.isEmpty()) {
			throw new IllegalArgumentException(name + " requires at least one argument");
		}
		Map<String, String> pairs = new LinkedHashMap<>();
		if (!words.get(0).contains("=")) {
			if (words.size() < 2) {
				throw new IllegalArgumentException(name + " must have two arguments");
			}
			String value = arguments.substring(arguments.indexOf(words.get(0)) + words.get(0).length()).strip();
			pairs.put(ShellWords.word(words.get(0), this.env), ShellWords.word(value, this.env));
			return pairs;
		}
		for (String word : words) {
			int equals = word.indexOf('=');
			if (equals < 0) {
				throw new IllegalArgumentException("Syntax error - can't find = in \"" + word
						+ "\". Must be of the form: name=value");
			}
			String key = ShellWords.word(word.substring(0, equals), this.env);
			if (key.isEmpty()) {
				throw new IllegalArgumentException(name + " names can not be blank");
			}
			pairs.put(key, ShellWords.word(word.substring(equals + 1), this.env));
		}
		return pairs;
	}

	private String single(String arguments, String name) {
		List<String> words = ShellWords.words(arguments, this.env);
		if (words.size() != 1) {
			throw new IllegalArgumentException(name + " requires exactly one argument");
		}
		return words.get(0);
	}

	/** {@code EXPOSE 80 53/udp 8000-8002}: each port of a range on its own, tcp unless told. */
	private void expose(String arguments) {
		List<String> ports = ShellWords.words(arguments, this.env);
		if (ports.isEmpty()) {
			throw new IllegalArgumentException("EXPOSE requires at least one argument");
		}
		Map<String, String> exposed = sortedMap("ExposedPorts");
		for (String port : ports) {
			Matcher matcher = PORT.matcher(port);
			if (!matcher.matches()) {
				throw new IllegalArgumentException("Invalid containerPort: " + port.split("/")[0]);
			}
			String protocol = (matcher.group(3) != null) ? matcher.group(3).toLowerCase(Locale.ROOT) : "tcp";
			if (!PROTOCOLS.contains(protocol)) {
				throw new IllegalArgumentException("Invalid proto: " + protocol);
			}
			int first = portNumber(matcher.group(1), port);
			int last = (matcher.group(2) != null) ? portNumber(matcher.group(2), port) : first;
			if (last < first) {
				throw new IllegalArgumentException("Invalid range specified for the Port: " + port);
			}
			for (int p = first; p <= last; p++) {
				exposed.put(p + "/" + protocol, "");
			}
		}
		ObjectNode node = this.config.putObject("ExposedPorts");
		exposed.keySet().forEach(node::putObject);
	}

	private static int portNumber(String digits, String port) {
		int number;
		try {
			number = Integer.parseInt(digits);
		}
		catch (NumberFormatException ex) {
			number = -1;
		}
		if (number < 0 || number > 65535) {
			throw new IllegalArgumentException("Invalid containerPort: " + port);
		}
		return number;
	}

	/** A relative WORKDIR continues from the previous one, as in a Dockerfile. */
	private void workdir(String path) {
		String previous = this.config.path("WorkingDir").asString("");
		String joined = path.startsWith("/") ? path : (previous.isEmpty() ? "/" : previous) + "/" + path;
		List<String> parts = new ArrayList<>();
		for (String part : joined.split("/")) {
			if (part.equals("..")) {
				if (!parts.isEmpty()) {
					parts.removeLast();
				}
			}
			else if (!part.isEmpty() && !part.equals(".")) {
				parts.add(part);
			}
		}
		this.config.put("WorkingDir", "/" + String.join("/", parts));
	}

	private void volume(String arguments) {
		ArrayNode array = jsonArray(arguments);
		List<String> paths = new ArrayList<>();
		if (array != null) {
			array.valueStream().forEach((path) -> paths.add(path.asString()));
		}
		else {
			paths.addAll(ShellWords.words(arguments, this.env));
		}
		if (paths.isEmpty()) {
			throw new IllegalArgumentException("VOLUME requires at least one argument");
		}
		Map<String, String> volumes = sortedMap("Volumes");
		for (String path : paths) {
			if (path.strip().isEmpty()) {
				throw new IllegalArgumentException("VOLUME specified can not be an empty string");
			}
			volumes.put(path, "");
		}
		ObjectNode node = this.config.putObject("Volumes");
		volumes.keySet().forEach(node::putObject);
	}

	/** A number or a name, with or without {@code SIG}; kept as written, as Docker keeps it. */
	private static String signal(String signal) {
		String name = signal.toUpperCase(Locale.ROOT);
		name = name.startsWith("SIG") ? name.substring(3) : name;
		boolean valid;
		if (!name.isEmpty() && name.length() <= 2 && name.chars().allMatch(Character::isDigit)) {
			int number = Integer.parseInt(name);
			valid = number > 0 && number <= 64;
		}
		else {
			Matcher realtime = REALTIME.matcher(name);
			valid = SIGNALS.contains(name)
					|| (realtime.matches() && Integer.parseInt((realtime.group(1) != null) ? realtime.group(1) : realtime.group(2)) <= 30);
		}
		if (!valid) {
			throw new IllegalArgumentException("Invalid signal: " + signal);
		}
		return signal;
	}

	private void onBuild(String arguments) {
		String[] trigger = arguments.split("\\s+", 2);
		String instruction = trigger[0].toUpperCase(Locale.ROOT);
		if (instruction.isEmpty()) {
			throw new IllegalArgumentException("ONBUILD requires at least one argument");
		}
		if (instruction.equals("ONBUILD")) {
			throw new IllegalArgumentException("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
		}
		if (instruction.equals("FROM") || instruction.equals("MAINTAINER")) {
			throw new IllegalArgumentException(instruction + " isn't allowed as an ONBUILD trigger");
		}
		ArrayNode triggers = this.config.has("OnBuild") && this.config.get("OnBuild").isArray()
				? (ArrayNode) this.config.get("OnBuild") : this.config.putArray("OnBuild");
		triggers.add(instruction + ((trigger.length > 1) ? " " + trigger[1] : ""));
	}

	/** A map field of the config, keys sorted as Go writes map keys. */
	private Map<String, String> sortedMap(String field) {
		Map<String, String> map = new TreeMap<>();
		this.config.path(field).properties().forEach((e) -> map.put(e.getKey(), e.getValue().asString("")));
		return map;
	}

}
