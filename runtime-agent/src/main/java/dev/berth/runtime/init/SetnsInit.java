package dev.berth.runtime.init;

import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.spec.RuntimeSpec;

/**
 * Runs an extra process inside a running container ({@code exec}). We were born in the container's
 * pid namespace (the spawner or the zygote saw to it) and are in its cgroup (the parent moved us, or
 * a forked copy entered it by itself); here we join the rest and exec.
 */
final class SetnsInit {

	/** Joined in this order; mount last, since after it /proc is the container's. */
	private static final String[] NAMESPACES = { "cgroup", "ipc", "uts", "net", "mnt" };

	private final LinuxSyscalls sys;

	private final Bootstrap bootstrap;

	SetnsInit(LinuxSyscalls sys, Bootstrap bootstrap) {
		this.sys = sys;
		this.bootstrap = bootstrap;
	}

	void run() {
		RuntimeSpec spec = this.bootstrap.spec();
		RuntimeSpec.Process process = this.bootstrap.process();
		ProcessSetup setup = new ProcessSetup(spec, process, this.bootstrap.seccomp());
		// setns into a mount namespace needs a filesystem context (root, cwd) of our own
		this.sys.unshare(LinuxSyscalls.CLONE_FS);
		for (String ns : NAMESPACES) {
			// concat, not +: a forked init would link a + call site, unreached in training, every time
			this.sys.setns("/proc/".concat(Long.toString(this.bootstrap.targetPid())).concat("/ns/").concat(ns), 0);
		}
		if (process.terminal()) {
			if (!this.bootstrap.consoleSocket()) {
				throw new IllegalArgumentException("process.terminal: true needs a console socket");
			}
			setup.setUpTerminal("/dev/ptmx", this.bootstrap.consoleSocketFd());
		}
		setup.enterWorkingDirectory(false);
		setup.applyLimits();
		setup.dropPrivileges();
		InitMain.reportReady();
		setup.exec();
	}

}
