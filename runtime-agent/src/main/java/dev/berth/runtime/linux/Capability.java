package dev.berth.runtime.linux;

import java.util.List;

/** Linux capability names ({@code CAP_CHOWN}) and their bit numbers. */
public final class Capability {

	private static final List<String> NAMES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
			"CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
			"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
			"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
			"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG",
			"CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
			"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON",
			"CAP_BPF", "CAP_CHECKPOINT_RESTORE");

	private Capability() {
	}

	/** The bit of a capability, or -1 for a name this runtime does not know. */
	public static int number(String name) {
		return NAMES.indexOf(name);
	}

	public static List<String> all() {
		return NAMES;
	}

	/** The mask of a set of names; the caller has checked every name with {@link #number}. */
	public static long mask(List<String> names) {
		long mask = 0;
		for (String name : names) {
			mask |= 1L << number(name);
		}
		return mask;
	}

}
