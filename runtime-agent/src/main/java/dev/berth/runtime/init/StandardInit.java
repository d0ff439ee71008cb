package dev.berth.runtime.init;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.seccomp.SeccompProgram;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.RuntimeSpec.Namespace;

/**
 * Sets up a new container in this thread and exec's its process once started. We are PID 1 of a
 * fresh pid namespace (the spawner unshared it, or the zygote cloned us into one) and already in
 * the container's cgroup (the parent moved us there, or we were born in it and joined the rest
 * before reading the spec, {@code InitMain}).
 */
final class StandardInit {

	private static final String[][] NAMESPACE_FLAGS = { { "mount", "CLONE_NEWNS" }, { "uts", "CLONE_NEWUTS" },
			{ "ipc", "CLONE_NEWIPC" }, { "network", "CLONE_NEWNET" }, { "cgroup", "CLONE_NEWCGROUP" } };

	private final LinuxSyscalls sys;

	private final RuntimeSpec spec;

	private final Path rootfs;

	private final boolean consoleSocket;

	private final int consoleSocketFd;

	private final int execFifoFd;

	private final SeccompProgram seccomp;

	StandardInit(LinuxSyscalls sys, Bootstrap bootstrap) {
		this.sys = sys;
		this.spec = bootstrap.spec();
		this.rootfs = Path.of(bootstrap.rootfs());
		this.consoleSocket = bootstrap.consoleSocket();
		this.consoleSocketFd = bootstrap.consoleSocketFd();
		this.execFifoFd = bootstrap.execFifoFd();
		this.seccomp = bootstrap.seccomp();
	}

	void run() {
		ProcessSetup setup = setUp();
		InitMain.reportReady();
		waitForStart(this.execFifoFd);
		setup.exec();
	}

	/**
	 * Everything up to the start: namespaces, the root filesystem, hostname, working directory,
	 * limits and credentials, all on this thread (which a {@link Rehearsal} relies on).
	 */
	ProcessSetup setUp() {
		RuntimeSpec.Process process = this.spec.process();
		if (process == null) {
			throw new IllegalArgumentException("process: required to create a container");
		}
		ProcessSetup setup = new ProcessSetup(this.spec, process, this.seccomp);
		enterNamespaces();
		RootfsSetup rootfsSetup = new RootfsSetup(this.sys, this.spec, this.rootfs, Path.of("/sys/fs/cgroup"),
				Path.of("/proc/self/cgroup"));
		rootfsSetup.prepareRoot();
		rootfsSetup.mountAll();
		rootfsSetup.createDevices();
		rootfsSetup.applySysctls();
		if (process.terminal()) {
			if (!this.consoleSocket) {
				throw new IllegalArgumentException("process.terminal: true needs a console socket");
			}
			setup.setUpTerminal(ScopedPath.resolve(this.rootfs, "/dev/ptmx").toString(), this.consoleSocketFd);
		}
		rootfsSetup.maskPaths();
		rootfsSetup.readonlyPaths();
		rootfsSetup.pivotRoot();
		rootfsSetup.finishRoot();
		if (this.spec.linux().namespace("uts") != null && !this.spec.hostname().isEmpty()) {
			this.sys.sethostname(this.spec.hostname());
		}
		setup.enterWorkingDirectory(true);
		setup.applyLimits();
		setup.dropPrivileges();
		return setup;
	}


	/** New namespaces are unshared on this thread only; a path means joining an existing one. */
	private void enterNamespaces() {
		int unshare = 0;
		for (String[] entry : NAMESPACE_FLAGS) {
			Namespace ns = this.spec.linux().namespace(entry[0]);
			if (ns != null && ns.path().isEmpty()) {
				unshare |= flag(entry[0]);
			}
		}
		if (this.spec.linux().namespace("user") != null) {
			throw new IllegalArgumentException("linux.namespaces: user namespaces are not supported");
		}
		if (this.spec.linux().namespace("mount") == null) {
			throw new IllegalArgumentException("linux.namespaces: a mount namespace is required");
		}
		for (String[] entry : NAMESPACE_FLAGS) {
			Namespace ns = this.spec.linux().namespace(entry[0]);
			if (ns != null && !ns.path().isEmpty()) {
				if (entry[0].equals("mount")) {
					throw new IllegalArgumentException("linux.namespaces: joining a mount namespace is not supported");
				}
				this.sys.setns(ns.path(), flag(entry[0]));
			}
		}
		// unsharing the mount namespace also gives this thread its own root and cwd (CLONE_FS)
		this.sys.unshare(unshare);
	}

	static int flag(String type) {
		return switch (type) {
			case "mount" -> LinuxSyscalls.CLONE_NEWNS;
			case "uts" -> LinuxSyscalls.CLONE_NEWUTS;
			case "ipc" -> LinuxSyscalls.CLONE_NEWIPC;
			case "network" -> LinuxSyscalls.CLONE_NEWNET;
			case "cgroup" -> LinuxSyscalls.CLONE_NEWCGROUP;
			case "pid" -> LinuxSyscalls.CLONE_NEWPID;
			default -> throw new IllegalArgumentException("linux.namespaces: unsupported type \"" + type + "\"");
		};
	}

	/**
	 * Blocks until start: opening a FIFO for writing waits for a reader. The FIFO itself lives on
	 * the host; we reach it through the {@code O_PATH} descriptor the parent sent.
	 * Our end stays open, close-on-exec, so the starter sees end-of-file once the workload runs.
	 */
	private static void waitForStart(int execFifoFd) {
		// concat, not +: a + is an invokedynamic call site that no rehearsal reaches (it ends before
		// the wait), and linking it in every forked init spun a method handle class each time
		Path fifo = Path.of("/proc/self/fd/".concat(Integer.toString(execFifoFd)));
		if (!Files.exists(fifo)) {
			throw new IllegalStateException("/proc is not mounted in the container: cannot wait for start");
		}
		int fd = Kernel.open(fifo.toString(), Kernel.O_WRONLY | Kernel.O_CLOEXEC, 0);
		Kernel.writeFully(fd, new byte[] { '0' });
	}

}
