package dev.berth.lifecycle.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.berth.lifecycle.InvalidArgumentException;

/**
 * The capability set of a container as Docker computes it: its 14 defaults, adjusted by CapAdd
 * and CapDrop (names with or without {@code CAP_}, any case, and {@code ALL}), or every
 * capability the engine holds for a privileged container. The set goes into the bounding,
 * permitted and effective sets alike; inheritable and ambient stay empty, so a non-root user
 * in the container ends up with none, as with Docker.
 */
final class Capabilities {

	/** Docker's defaults, in Docker's order (the order shows in the spec, not in the kernel). */
	static final List<String> DEFAULTS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
			"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
			"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

	private static final String ALL = "ALL";

	private Capabilities() {
	}

	/**
	 * The container's capabilities.
	 *
	 * @param available what the engine holds: a privileged container's set, and the only
	 * capabilities CapAdd may name
	 */
	static List<String> of(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> available) {
		List<String> add = normalize(capAdd, available, "CapAdd");
		List<String> drop = normalize(capDrop, available, "CapDrop");
		if (privileged) {
			return List.copyOf(available);
		}
		Set<String> result = new LinkedHashSet<>();
		if (add.contains(ALL)) {
			available.stream().filter((capability) -> !drop.contains(capability)).forEach(result::add);
			return List.copyOf(result);
		}
		if (!drop.contains(ALL)) {
			DEFAULTS.stream().filter((capability) -> !drop.contains(capability)).forEach(result::add);
		}
		result.addAll(add);
		return List.copyOf(result);
	}

	/** Upper case, {@code CAP_} prefixed, checked against the kernel's names and the engine's set. */
	private static List<String> normalize(List<String> names, List<String> available, String field) {
		List<String> normalized = new ArrayList<>();
		for (String name : (names != null) ? names : List.<String>of()) {
			String upper = name.toUpperCase(Locale.ROOT);
			if (upper.equals(ALL)) {
				normalized.add(ALL);
				continue;
			}
			String capability = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
			if (!HostFacts.CAPABILITY_NAMES.contains(capability)) {
				throw new InvalidArgumentException("invalid " + field + ": unknown capability: \"" + capability + "\"");
			}
			if (!available.contains(capability)) {
				throw new InvalidArgumentException("invalid " + field
						+ ": capability not supported by your kernel or not available in the current environment: \""
						+ capability + "\"");
			}
			normalized.add(capability);
		}
		return normalized;
	}

}
