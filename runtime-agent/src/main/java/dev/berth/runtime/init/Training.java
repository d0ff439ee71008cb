package dev.berth.runtime.init;

import java.nio.file.Path;
import java.util.List;

import dev.berth.runtime.linux.Capability;
import dev.berth.runtime.linux.Credentials;
import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.seccomp.SeccompProgram;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;

/**
 * A dry run of the init's code paths that touches nothing on the machine and exits normally, for
 * the JDK to record an AOT cache from ({@code -XX:AOTCacheOutput}): the classes of a real start
 * are then loaded and linked already when an init JVM comes up. The zygote runs it too, before
 * it forks its first init. It ends with a {@link Rehearsal} of a whole set-up, in namespaces that
 * end with it. The seccomp program comes compiled with the bootstrap, as from the shim
 * (an init never compiles a profile): training carries one through the bootstrap's encoding.
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
			"maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"],"sysctl":{"net.ipv4.ip_forward":"1"}}}
			""";

	/** {@code ret SECCOMP_RET_ALLOW}, one instruction ({@code u16 code, u8 jt, u8 jf, u32 k}, little-endian). */
	static final byte[] ALLOW_ALL = { 0x06, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f };

	private Training() {
	}

	static void run() throws Exception {
		InitMain.preloadClasses();
		SeccompProgram seccomp = SeccompProgram.of(ALLOW_ALL, 0);
		Bootstrap bootstrap = Bootstrap.parse(Bootstrap.standard(JsonObject.parse(SPEC), "/nonexistent/rootfs", false, seccomp).toJson());
		RuntimeSpec spec = bootstrap.spec();
		new ProcessSetup(spec, spec.process(), bootstrap.seccomp());
		for (RuntimeSpec.Mount mount : spec.mounts()) {
			MountOptions.parse(mount.options());
		}
		ScopedPath.resolve(Path.of("/proc"), "/self/../self/fd");
		Capability.mask(List.of("CAP_CHOWN", "CAP_KILL"));
		Credentials.lastCapability();
		StandardInit.flag("network");
		Kernel.getpid();
		JnaLinuxSyscalls.INSTANCE.hashCode();
		Bootstrap.parse(Bootstrap.setns(JsonObject.parse(SPEC), JsonObject.parse("{\"args\":[\"sh\"],\"cwd\":\"/\"}"), 1, false,
				seccomp).toJson()).process();
		Rehearsal.run(seccomp);
	}

}
