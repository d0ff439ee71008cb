package dev.berth.runtime.cli;

import static dev.berth.runtime.spec.Json.obj;

import java.util.List;
import java.util.Map;

import dev.berth.runtime.linux.Capability;

/** What {@code berth-runc features} reports, in the OCI runtime features format. */
final class Features {

	private Features() {
	}

	static Map<String, Object> describe() {
		return obj("ociVersionMin", "1.0.0", //
				"ociVersionMax", "1.2.0", //
				"hooks", List.of(), //
				"mountOptions", List.of("async", "atime", "bind", "dev", "diratime", "dirsync", "exec", "mand", "noatime",
						"nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow",
						"private", "rbind", "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable",
						"rw", "shared", "slave", "strictatime", "suid", "symfollow", "sync", "unbindable"), //
				"linux", obj("namespaces", List.of("cgroup", "ipc", "mount", "network", "pid", "uts"), //
						"capabilities", Capability.all(), //
						"cgroup", obj("v1", true, "v2", true, "systemd", false, "systemdUser", false), //
						"seccomp", obj("enabled", true, //
								"actions", List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
										"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE",
										"SCMP_ACT_TRAP"), //
								"operators", List.of("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
										"SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"), //
								"archs", List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64")), //
						"apparmor", obj("enabled", false), //
						"selinux", obj("enabled", false)), //
				"annotations", obj("dev.berth.runtime", "berth-runc " + RuncCli.VERSION));
	}

}
