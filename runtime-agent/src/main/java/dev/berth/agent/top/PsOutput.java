package dev.berth.agent.top;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rows of a {@code ps} listing that belong to a container, as {@code docker top} shows them:
 * the titles of the header, and each row of one of the container's processes cut into as many
 * fields as there are titles (the last field keeps the rest of the line, a command with its
 * arguments). A row whose PID is {@code -} (a thread, with {@code ps -m}) goes with the process
 * above it.
 */
record PsOutput(List<String> titles, List<List<String>> processes) {

	/** Only ASCII whitespace separates fields: a command may hold other spaces. */
	private static final String ASCII_WHITESPACE = "[\t\n\f\r ]+";

	static PsOutput parse(String output, Set<Long> pids) {
		String[] lines = output.split("\n", -1);
		List<String> titles = fields(lines[0]);
		int pidColumn = titles.indexOf("PID");
		if (pidColumn < 0) {
			throw new PsException("Couldn't find PID field in ps output");
		}
		List<List<String>> processes = new ArrayList<>();
		boolean previousIsOurs = false;
		for (int i = 1; i < lines.length; i++) {
			if (lines[i].isEmpty()) {
				continue;
			}
			List<String> fields = fields(lines[i]);
			if (fields.size() <= pidColumn) {
				throw new PsException("Unexpected ps output line '" + lines[i] + "'");
			}
			String pid = fields.get(pidColumn);
			boolean ours;
			if (pid.equals("-")) {
				ours = previousIsOurs;
			}
			else {
				ours = pids.contains(parsePid(pid));
				previousIsOurs = ours;
			}
			if (ours) {
				processes.add(fitTo(titles.size(), fields));
			}
		}
		return new PsOutput(titles, processes);
	}

	private static long parsePid(String pid) {
		try {
			return Long.parseLong(pid);
		}
		catch (NumberFormatException ex) {
			throw new PsException("Unexpected pid '" + pid + "': " + ex.getMessage());
		}
	}

	/** The fields beyond the last title joined into it, with single spaces. */
	private static List<String> fitTo(int count, List<String> fields) {
		if (fields.size() <= count) {
			return fields;
		}
		List<String> fitted = new ArrayList<>(fields.subList(0, count - 1));
		fitted.add(String.join(" ", fields.subList(count - 1, fields.size())));
		return fitted;
	}

	private static List<String> fields(String line) {
		List<String> fields = new ArrayList<>();
		for (String field : line.split(ASCII_WHITESPACE)) {
			if (!field.isEmpty()) {
				fields.add(field);
			}
		}
		return fields;
	}

}
