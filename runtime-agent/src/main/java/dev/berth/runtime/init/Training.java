package dev.berth.runtime.init;

import java.nio.file.Path;
import java.util.List;

import dev.berth.runtime.linux.Capability;
import dev.berth.runtime.linux.Credentials;
import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.spec.RuntimeSpec;

/**
 * A dry run of the init's code paths that touches nothing on the machine and exits normally, for
 * the JDK to record an AOT cache from ({@code -XX:AOTCacheOutput}): the classes of a real start
 * are then loaded and linked already when an init JVM comes up. A warm init runs it too, before
 * its container arrives: its seccomp profile names the three architectures of Docker's default
 * profile, so that the system call table of each is read by then, not while a container waits.
 */
final class Training {

	static final String SPEC = """
			{"ociVersion":"1.2.0","process":{"terminal":false,"user":{"uid":0,"gid":0,"additionalGids":[10]},
			"args":["sh"],"env":["PATH=/bin"],"cwd":"/","capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"],
			"effective":["CAP_CHOWN"],"permitted":["CAP_CHOWN"]},"rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],
			"noNewPrivileges":true,"oomScoreAdj":0},"root":{"path":"rootfs","readonly":true},"hostname":"train",
			"mounts":[{"destination":"/proc","type":"proc","source":"proc"},
			{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
			{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666"]},
			{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
			{"destination":"/data","type":"bind","source":"/tmp","options":["rbind","ro"]}],
			"linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"network"},{"type":"uts"},{"type":"ipc"}],
			"resources":{"memory":{"limit":1048576},"pids":{"limit":10},"devices":[{"allow":false,"access":"rwm"}]},
			"maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"],"sysctl":{"net.ipv4.ip_forward":"1"},
			"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
			"syscalls":[{"names":["read","write","openat","close","execve","exit_group"],"action":"SCMP_ACT_ALLOW"},
			{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]}]}}}
			""";

	private Training() {
	}

	static void run() throws Exception {
		InitMain.preloadClasses();
		Bootstrap bootstrap = Bootstrap.parse(Bootstrap.standard(SPEC, "/nonexistent/rootfs", false).toJson());
		RuntimeSpec spec = bootstrap.spec();
		new ProcessSetup(spec, spec.process());
		for (RuntimeSpec.Mount mount : spec.mounts()) {
			MountOptions.parse(mount.options());
		}
		ScopedPath.resolve(Path.of("/proc"), "/self/../self/fd");
		Capability.mask(List.of("CAP_CHOWN", "CAP_KILL"));
		Credentials.lastCapability();
		StandardInit.flag("network");
		Kernel.getpid();
		JnaLinuxSyscalls.INSTANCE.hashCode();
		Bootstrap.parse(Bootstrap.setns(SPEC, "{\"args\":[\"sh\"],\"cwd\":\"/\"}", 1, false).toJson()).process();
	}

}
