package dev.berth.runtime.init;

import static dev.berth.runtime.linux.LinuxSyscalls.MS_BIND;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_DIRSYNC;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_MANDLOCK;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NOATIME;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NODEV;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NODIRATIME;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NOEXEC;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NOSUID;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_NOSYMFOLLOW;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_PRIVATE;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_RDONLY;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_REC;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_RELATIME;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_REMOUNT;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_SHARED;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_SLAVE;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_STRICTATIME;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_SYNCHRONOUS;
import static dev.berth.runtime.linux.LinuxSyscalls.MS_UNBINDABLE;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The options of an OCI mount split the way mount(2) wants them: flags, propagation (a separate
 * call), and the rest as the filesystem's data string.
 */
record MountOptions(long flags, long clearFlags, long propagation, String data) {

	private static final Map<String, long[]> FLAGS = Map.ofEntries(
			// name -> {flag to set, flag to clear}
			Map.entry("ro", new long[] { MS_RDONLY, 0 }), Map.entry("rw", new long[] { 0, MS_RDONLY }),
			Map.entry("nosuid", new long[] { MS_NOSUID, 0 }), Map.entry("suid", new long[] { 0, MS_NOSUID }),
			Map.entry("nodev", new long[] { MS_NODEV, 0 }), Map.entry("dev", new long[] { 0, MS_NODEV }),
			Map.entry("noexec", new long[] { MS_NOEXEC, 0 }), Map.entry("exec", new long[] { 0, MS_NOEXEC }),
			Map.entry("sync", new long[] { MS_SYNCHRONOUS, 0 }), Map.entry("async", new long[] { 0, MS_SYNCHRONOUS }),
			Map.entry("dirsync", new long[] { MS_DIRSYNC, 0 }), Map.entry("remount", new long[] { MS_REMOUNT, 0 }),
			Map.entry("mand", new long[] { MS_MANDLOCK, 0 }), Map.entry("nomand", new long[] { 0, MS_MANDLOCK }),
			Map.entry("atime", new long[] { 0, MS_NOATIME }), Map.entry("noatime", new long[] { MS_NOATIME, 0 }),
			Map.entry("diratime", new long[] { 0, MS_NODIRATIME }),
			Map.entry("nodiratime", new long[] { MS_NODIRATIME, 0 }), Map.entry("bind", new long[] { MS_BIND, 0 }),
			Map.entry("rbind", new long[] { MS_BIND | MS_REC, 0 }),
			Map.entry("relatime", new long[] { MS_RELATIME, 0 }), Map.entry("norelatime", new long[] { 0, MS_RELATIME }),
			Map.entry("strictatime", new long[] { MS_STRICTATIME, 0 }),
			Map.entry("nostrictatime", new long[] { 0, MS_STRICTATIME }),
			Map.entry("nosymfollow", new long[] { MS_NOSYMFOLLOW, 0 }),
			Map.entry("symfollow", new long[] { 0, MS_NOSYMFOLLOW }));

	private static final Map<String, Long> PROPAGATION = Map.of("private", MS_PRIVATE, "rprivate",
			MS_PRIVATE | MS_REC, "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC, "slave", MS_SLAVE, "rslave",
			MS_SLAVE | MS_REC, "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

	static MountOptions parse(List<String> options) {
		long flags = 0;
		long clear = 0;
		long propagation = 0;
		List<String> data = new ArrayList<>();
		for (String option : options) {
			long[] flag = FLAGS.get(option);
			if (flag != null) {
				flags = (flags | flag[0]) & ~flag[1];
				clear |= flag[1];
				continue;
			}
			Long mode = PROPAGATION.get(option);
			if (mode != null) {
				propagation = mode;
				continue;
			}
			data.add(option);
		}
		return new MountOptions(flags, clear, propagation, String.join(",", data));
	}

	static long propagation(String name) {
		Long mode = PROPAGATION.get(name);
		if (mode == null) {
			throw new IllegalArgumentException("linux.rootfsPropagation: unknown propagation \"" + name + "\"");
		}
		return mode;
	}

	boolean isBind() {
		return (this.flags & MS_BIND) != 0;
	}

}
