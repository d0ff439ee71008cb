package dev.berth.runtime.linux;

import java.util.List;

/** OCI rlimit names ({@code RLIMIT_NOFILE}) and their resource numbers. */
public final class Rlimits {

	private static final List<String> NAMES = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK",
			"RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
			"RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

	private Rlimits() {
	}

	public static int number(String name) {
		int number = NAMES.indexOf(name);
		if (number < 0) {
			throw new IllegalArgumentException("process.rlimits: unknown rlimit type \"" + name + "\"");
		}
		return number;
	}

	public static boolean known(String name) {
		return NAMES.contains(name);
	}

}
