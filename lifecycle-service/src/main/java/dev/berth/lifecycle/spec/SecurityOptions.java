package dev.berth.lifecycle.spec;

import java.util.List;

import dev.berth.lifecycle.InvalidArgumentException;

/**
 * {@code HostConfig.SecurityOpt} read as dockerd reads it. {@code label} and {@code apparmor}
 * options are accepted and have no effect, as on a host without SELinux or AppArmor.
 *
 * @param noNewPrivileges {@code no-new-privileges}, alone or {@code =true}
 * @param seccomp what {@code seccomp=} asked for
 * @param seccompProfile the profile's JSON text when {@code seccomp} is {@link Seccomp#CUSTOM}
 * @param writableCgroups {@code writable-cgroups}: null leaves it to Privileged
 */
record SecurityOptions(boolean noNewPrivileges, Seccomp seccomp, String seccompProfile, Boolean writableCgroups) {

	enum Seccomp {
		/** No option: Docker's default profile, none for a privileged container. */
		UNSET,
		/** {@code seccomp=builtin}: the default profile, also for a privileged container. */
		DEFAULT,
		/** {@code seccomp=unconfined}. */
		UNCONFINED,
		/** {@code seccomp=<profile JSON>}: the CLI sends the file's content. */
		CUSTOM
	}

	static SecurityOptions parse(List<String> options) {
		boolean noNewPrivileges = false;
		Seccomp seccomp = Seccomp.UNSET;
		String profile = null;
		Boolean writableCgroups = null;
		for (String option : (options != null) ? options : List.<String>of()) {
			if (option.equals("no-new-privileges")) {
				noNewPrivileges = true;
				continue;
			}
			if (option.equals("writable-cgroups")) {
				writableCgroups = true;
				continue;
			}
			if (option.equals("disable")) {
				continue;
			}
			// "=" is the separator; ":" is the deprecated one dockerd still reads
			int separator = option.indexOf('=');
			if (separator < 0) {
				separator = option.indexOf(':');
			}
			if (separator < 0) {
				throw new InvalidArgumentException("invalid --security-opt 1: \"" + option + "\"");
			}
			String key = option.substring(0, separator);
			String value = option.substring(separator + 1);
			switch (key) {
				case "label", "apparmor" -> {
					// no SELinux or AppArmor here: accepted, without effect
				}
				case "seccomp" -> {
					seccomp = switch (value) {
						case "unconfined" -> Seccomp.UNCONFINED;
						case "builtin" -> Seccomp.DEFAULT;
						default -> Seccomp.CUSTOM;
					};
					profile = (seccomp == Seccomp.CUSTOM) ? value : null;
				}
				case "no-new-privileges" -> noNewPrivileges = bool(value, option);
				case "writable-cgroups" -> writableCgroups = bool(value, option);
				default -> throw new InvalidArgumentException("invalid --security-opt 2: \"" + option + "\"");
			}
		}
		return new SecurityOptions(noNewPrivileges, seccomp, profile, writableCgroups);
	}

	/** Go's {@code strconv.ParseBool}. */
	private static boolean bool(String value, String option) {
		return switch (value) {
			case "1", "t", "T", "true", "TRUE", "True" -> true;
			case "0", "f", "F", "false", "FALSE", "False" -> false;
			default -> throw new InvalidArgumentException("invalid --security-opt 2: \"" + option + "\"");
		};
	}

}
