package dev.berth.runtime.init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.seccomp.SeccompProgram;
import dev.berth.runtime.spec.JsonObject;

/**
 * A container's whole set-up, up to the start, played on a throwaway thread in namespaces of its
 * own, before the zygote forks its first container init. {@link Training} only loads the classes;
 * the first run of the set-up also resolves its call sites, which cost a container about 30 ms of
 * its start (measured: 55 ms from bootstrap to ready without a rehearsal).
 *
 * <p>Nothing reaches the host: mount, network, uts and ipc namespaces belong to the rehearsing thread
 * alone (unshare acts on the calling thread), the scratch root filesystem is a tmpfs in them, and they
 * end with the thread, every mount with them. Credentials and capabilities change on that thread only
 * (raw system calls, see {@code LibC}). Without the privilege to do this (a build as a plain user), it
 * gives up quietly: the first container then pays as before.
 */
final class Rehearsal {

	/** Where the thread's private tmpfs goes, in its own mount namespace only. */
	private static final String SCRATCH = "/tmp";

	/** Docker's defaults for a container, as lifecycle-service writes them. */
	private static final String SPEC = """
			{"ociVersion":"1.2.0","process":{"terminal":false,"user":{"uid":0,"gid":0,"additionalGids":[0]},
			"args":["sh"],"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","HOME=/root"],"cwd":"/",
			"capabilities":{"bounding":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_KILL"],"effective":["CAP_CHOWN","CAP_KILL"],
			"permitted":["CAP_CHOWN","CAP_KILL"]},"noNewPrivileges":true},
			"root":{"path":"rootfs","readonly":false},"hostname":"rehearsal",
			"mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
			{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
			{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
			{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
			{"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["ro","nosuid","noexec","nodev"]},
			{"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
			{"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},
			{"destination":"/etc/hosts","type":"bind","source":"@FILES@/hosts","options":["rbind","rprivate"]},
			{"destination":"/etc/hostname","type":"bind","source":"@FILES@/hostname","options":["rbind","rprivate","ro"]}],
			"linux":{"namespaces":[{"type":"mount"},{"type":"network"},{"type":"uts"},{"type":"pid"},{"type":"ipc"}],
			"sysctl":{"net.ipv4.ip_unprivileged_port_start":"0"},
			"maskedPaths":["/proc/kcore","/proc/asound","/sys/firmware"],"readonlyPaths":["/proc/sys","/proc/sysrq-trigger"]}}
			""";

	private Rehearsal() {
	}

	/**
	 * Rehearses on a thread of its own and returns when it has ended, with its namespaces.
	 * @return whether the set-up ran to its end
	 */
	static boolean run(SeccompProgram seccomp) throws InterruptedException {
		boolean[] done = new boolean[1];
		Thread thread = Thread.ofPlatform().name("berth-rehearsal").unstarted(() -> done[0] = rehearse(seccomp));
		thread.start();
		thread.join();
		return done[0];
	}

	private static boolean rehearse(SeccompProgram seccomp) {
		LinuxSyscalls sys = JnaLinuxSyscalls.INSTANCE;
		try {
			// as the init does: after pivot_root a class path directory is out of reach
			InitMain.preloadClasses();
			// this thread's own mount namespace, first made private: the tmpfs below never shows on the host
			sys.unshare(LinuxSyscalls.CLONE_NEWNS);
			sys.mount(null, "/", null, LinuxSyscalls.MS_REC | LinuxSyscalls.MS_PRIVATE, null);
			sys.mount("tmpfs", SCRATCH, "tmpfs", 0, "mode=700,size=1m");
			Path base = Path.of(SCRATCH);
			Path files = Files.createDirectories(base.resolve("files"));
			Files.writeString(files.resolve("hosts"), "127.0.0.1\tlocalhost\n");
			Files.writeString(files.resolve("hostname"), "rehearsal\n");
			Path rootfs = base.resolve("rootfs");
			for (String dir : new String[] { "proc", "dev", "sys", "etc", "bin", "root" }) {
				Files.createDirectories(rootfs.resolve(dir));
			}
			Files.createFile(rootfs.resolve("bin/sh"), PosixFilePermissions.asFileAttribute(
					PosixFilePermissions.fromString("rwxr-xr-x")));
			String spec = SPEC.replace("@FILES@", files.toString());
			new StandardInit(sys, Bootstrap.parse(Bootstrap.standard(JsonObject.parse(spec), rootfs.toString(), false, seccomp).toJson()))
				.setUp();
			return true;
		}
		catch (RuntimeException | IOException | ReflectiveOperationException | LinkageError ex) {
			// no privilege for namespaces or mounts here: the first container loads the code itself
			return false;
		}
	}

}
