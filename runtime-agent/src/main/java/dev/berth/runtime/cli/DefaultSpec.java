package dev.berth.runtime.cli;

import static dev.berth.runtime.spec.Json.obj;

import java.util.List;
import java.util.Map;

/** The config.json {@code berth-runc spec} writes: a minimal, safe container running {@code sh}. */
public final class DefaultSpec {

	private DefaultSpec() {
	}

	public static Map<String, Object> create() {
		List<String> caps = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
		return obj("ociVersion", "1.2.0", //
				"process", obj("terminal", true, //
						"user", obj("uid", 0, "gid", 0), //
						"args", List.of("sh"), //
						"env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"),
						"cwd", "/", //
						"capabilities", obj("bounding", caps, "effective", caps, "permitted", caps), //
						"rlimits", List.of(obj("type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024)), //
						"noNewPrivileges", true), //
				"root", obj("path", "rootfs", "readonly", true), //
				"hostname", "berth", //
				"mounts", List.of(mount("/proc", "proc", "proc", List.of()),
						mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
						mount("/dev/pts", "devpts", "devpts",
								List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
						mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
						mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
						mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
						mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"))),
				"linux", obj("resources", obj("devices", List.of(obj("allow", false, "access", "rwm"))), //
						"namespaces", List.of(obj("type", "pid"), obj("type", "network"), obj("type", "ipc"),
								obj("type", "uts"), obj("type", "mount"), obj("type", "cgroup")),
						"maskedPaths", List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
								"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
								"/sys/firmware", "/proc/scsi", "/proc/interrupts"),
						"readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")));
	}

	private static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
		return obj("destination", destination, "type", type, "source", source, "options", options);
	}

}
