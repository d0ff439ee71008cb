package dev.berth.lifecycle.spec;

import java.util.Locale;
import java.util.Set;

import dev.berth.lifecycle.InvalidArgumentException;

/** Signal names as Docker accepts them in {@code StopSignal}: a number, or a name with or without SIG. */
final class Signals {

	private static final Set<String> NAMES = Set.of("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL",
			"INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
			"TRAP", "TSTP", "TTIN", "TTOU", "UNUSED", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN",
			"RTMAX");

	/** SIGRTMIN is 34 and SIGRTMAX 64 on Linux: 30 offsets either way. */
	private static final int REALTIME_SPAN = 30;

	private static final int MAX_SIGNAL = 64;

	private Signals() {
	}

	/** Checks that {@code signal} names a signal; Docker's 400 "Invalid signal" otherwise. */
	static void parse(String signal) {
		if (!valid(signal)) {
			throw new InvalidArgumentException("Invalid signal: " + signal);
		}
	}

	private static boolean valid(String signal) {
		if (signal.chars().allMatch(Character::isDigit)) {
			return signal.length() <= 2 && Integer.parseInt(signal) >= 1 && Integer.parseInt(signal) <= MAX_SIGNAL;
		}
		String name = signal.toUpperCase(Locale.ROOT);
		name = name.startsWith("SIG") ? name.substring(3) : name;
		if (NAMES.contains(name)) {
			return true;
		}
		return realtimeOffset(name, "RTMIN+") || realtimeOffset(name, "RTMAX-");
	}

	private static boolean realtimeOffset(String name, String prefix) {
		if (!name.startsWith(prefix)) {
			return false;
		}
		String offset = name.substring(prefix.length());
		return !offset.isEmpty() && offset.length() <= 2 && offset.chars().allMatch(Character::isDigit)
				&& Integer.parseInt(offset) >= 1 && Integer.parseInt(offset) < REALTIME_SPAN;
	}

}
