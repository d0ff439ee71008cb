package dev.berth.lifecycle.spec;

import java.util.SortedSet;
import java.util.TreeSet;

/** The kernel's cpu list format ({@code 0-3,6}), used by cpusets and by /sys's online files. */
final class CpuList {

	/** Far above any machine; bounds a range such as {@code 0-99999999} a client could send. */
	private static final int MAX_INDEX = 8192;

	private CpuList() {
	}

	/** The indexes the list names; an empty string names none. */
	static SortedSet<Integer> parse(String list) {
		SortedSet<Integer> indexes = new TreeSet<>();
		if (list.isBlank()) {
			return indexes;
		}
		for (String part : list.strip().split(",")) {
			int dash = part.indexOf('-');
			int first = index(dash < 0 ? part : part.substring(0, dash), list);
			int last = (dash < 0) ? first : index(part.substring(dash + 1), list);
			if (last < first) {
				throw new IllegalArgumentException("invalid range format: " + part);
			}
			for (int i = first; i <= last; i++) {
				indexes.add(i);
			}
		}
		return indexes;
	}

	private static int index(String text, String list) {
		try {
			int index = Integer.parseInt(text.strip());
			if (index < 0 || index > MAX_INDEX) {
				throw new IllegalArgumentException("invalid format: " + list);
			}
			return index;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("invalid format: " + list, ex);
		}
	}

}
