package dev.berth.runtime.linux;

import java.util.List;
import java.util.Locale;

/** Signal names as users write them ({@code TERM}, {@code SIGKILL}, {@code 9}, {@code RTMIN+3}). */
public final class Signals {

	private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
			"KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
			"TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

	private static final int RTMIN = 34;

	private static final int MAX = 64;

	private Signals() {
	}

	/** Parses a signal; throws {@link IllegalArgumentException} naming the text when it is none. */
	public static int parse(String text) {
		String name = text.toUpperCase(Locale.ROOT);
		if (name.startsWith("SIG")) {
			name = name.substring(3);
		}
		try {
			int number = Integer.parseInt(name);
			if (number > 0 && number <= MAX) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			int index = NAMES.indexOf(name);
			if (index > 0) {
				return index;
			}
			if (name.equals("IOT")) {
				return 6;
			}
			if (name.startsWith("RTMIN")) {
				int offset = name.length() > 5 ? Integer.parseInt(name.substring(5).replace("+", "")) : 0;
				if (RTMIN + offset <= MAX) {
					return RTMIN + offset;
				}
			}
		}
		throw new IllegalArgumentException("invalid signal: " + text);
	}

	public static String name(int signal) {
		return (signal > 0 && signal < NAMES.size()) ? "SIG" + NAMES.get(signal) : "SIGRTMIN+" + (signal - RTMIN);
	}

}
