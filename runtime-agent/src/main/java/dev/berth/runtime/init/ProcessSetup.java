package dev.berth.runtime.init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.berth.runtime.linux.Capability;
import dev.berth.runtime.linux.Credentials;
import dev.berth.runtime.linux.Errno;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.Pty;
import dev.berth.runtime.linux.Rlimits;
import dev.berth.runtime.linux.SyscallException;
import dev.berth.runtime.linux.UnixSockets;
import dev.berth.runtime.seccomp.SeccompProgram;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.RuntimeSpec.Process;
import dev.berth.runtime.spec.RuntimeSpec.Rlimit;

/**
 * The last steps before {@code execve}, common to a new container and to an exec into one:
 * terminal, working directory, limits, credentials, capabilities, seccomp, descriptors. Everything
 * here acts on the calling thread, the one that exec's.
 */
final class ProcessSetup {

	static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

	private final Process process;

	private final SeccompProgram seccomp;

	private String executable;

	/**
	 * @param seccomp the spec's seccomp profile as the parent compiled it ({@link Bootstrap}), null
	 * when the container has none
	 */
	ProcessSetup(RuntimeSpec spec, Process process, SeccompProgram seccomp) {
		if (spec.linux().seccomp() != null) {
			// the bootstrap carries the profile compiled, and the spec without it: a profile here
			// would come from a parent that did not compile it, and must not be dropped silently
			throw new IllegalArgumentException("linux.seccomp: the profile must come compiled with the bootstrap");
		}
		this.process = process;
		this.seccomp = seccomp;
	}

	/**
	 * Opens a pty on the devpts instance behind {@code ptmx}, hands its master to the console socket
	 * and makes its terminal end our controlling terminal and stdio.
	 */
	void setUpTerminal(String ptmx, int consoleSocket) {
		int master = Pty.openMaster(ptmx);
		int terminal = Pty.openPeer(master);
		if (this.process.consoleSize() != null && this.process.consoleSize().width() > 0) {
			Pty.setSize(master, this.process.consoleSize().height(), this.process.consoleSize().width());
		}
		UnixSockets.sendDescriptor(consoleSocket, master, ptmx);
		Kernel.close(master);
		Kernel.close(consoleSocket);
		// we lead a new session (the spawner asked for one), so this terminal becomes ours
		Pty.makeControlling(terminal);
		for (int fd = 0; fd <= 2; fd++) {
			Kernel.dup2(terminal, fd);
		}
		Kernel.close(terminal);
	}

	/**
	 * Changes to the working directory and finds the program. A container's is created if missing, as
	 * Docker does at start; an exec's must exist, as runc requires.
	 */
	void enterWorkingDirectory(boolean createMissing) {
		Path cwd = Path.of(this.process.cwd());
		if (createMissing) {
			try {
				Files.createDirectories(cwd);
			}
			catch (IOException ex) {
				throw new IllegalArgumentException("process.cwd: cannot create " + cwd + ": " + ex.getMessage());
			}
		}
		try {
			dev.berth.runtime.linux.JnaLinuxSyscalls.INSTANCE.chdir(cwd.toString());
		}
		catch (SyscallException ex) {
			// runc's words, which Docker's clients show
			throw new IllegalArgumentException("chdir to cwd (\"" + cwd + "\") set in config.json failed: "
					+ Errno.text(ex.errno()), ex);
		}
		this.executable = findExecutable();
	}

	void applyLimits() {
		for (Rlimit rlimit : this.process.rlimits()) {
			int resource = Rlimits.number(rlimit.type());
			Kernel.setrlimit(rlimit.type(), resource, rlimit.soft(), rlimit.hard());
		}
		if (this.process.oomScoreAdj() != null) {
			try {
				Files.writeString(Path.of("/proc/self/oom_score_adj"), this.process.oomScoreAdj().toString());
			}
			catch (IOException ex) {
				throw new IllegalArgumentException("process.oomScoreAdj: " + ex.getMessage());
			}
		}
		if (this.process.user().umask() != null) {
			Kernel.umask(this.process.user().umask().intValue());
		}
	}

	/**
	 * Becomes the spec's user with the spec's capabilities. Without no_new_privs, loading seccomp
	 * needs CAP_SYS_ADMIN, so then it happens first, while we are still root.
	 */
	void dropPrivileges() {
		if (this.process.noNewPrivileges()) {
			Kernel.prctl(Kernel.PR_SET_NO_NEW_PRIVS, 1);
		}
		else if (this.seccomp != null) {
			Kernel.loadSeccomp(this.seccomp.filter(), this.seccomp.flags());
		}
		RuntimeSpec.Capabilities caps = this.process.capabilities();
		int last = Credentials.lastCapability();
		Credentials.limitBoundingSet(Capability.mask(caps.bounding()), last);
		RuntimeSpec.User user = this.process.user();
		Credentials.switchUser(user.uid(), user.gid(), user.additionalGids());
		Credentials.setCapabilities(Capability.mask(caps.effective()), Capability.mask(caps.permitted()),
				Capability.mask(caps.inheritable()), Capability.mask(caps.ambient()), last);
	}

	/** Replaces this JVM with the workload; on failure reports on stderr and exits 127 like a shell. */
	void exec() {
		if (this.process.noNewPrivileges() && this.seccomp != null) {
			// as late as possible: with no_new_privs we need no privilege to load it
			Kernel.loadSeccomp(this.seccomp.filter(), this.seccomp.flags());
		}
		Kernel.resetSignals();
		// nothing of the JVM's (jars, the modules image) may reach the workload
		Kernel.closeRangeOnExec(3);
		try {
			Kernel.execve(this.executable, this.process.args(), this.process.env());
		}
		catch (RuntimeException ex) {
			System.err.println("berth-init: " + ex.getMessage());
			Kernel.exitNow(127);
		}
	}

	private String findExecutable() {
		String name = this.process.args().get(0);
		if (name.contains("/")) {
			// runc's words, which the CLI reads: "no such file or directory" exits 127, the others 126
			Path path = Path.of(name);
			if (!Files.exists(path)) {
				throw new IllegalArgumentException(
						"exec: \"" + name + "\": stat " + name + ": no such file or directory");
			}
			if (Files.isDirectory(path)) {
				throw new IllegalArgumentException("exec: \"" + name + "\": is a directory");
			}
			if (!Files.isExecutable(path)) {
				throw new IllegalArgumentException("exec: \"" + name + "\": permission denied");
			}
			return name;
		}
		String searchPath = DEFAULT_PATH;
		for (String entry : this.process.env()) {
			if (entry.startsWith("PATH=")) {
				searchPath = entry.substring(5);
			}
		}
		for (String dir : searchPath.split(":")) {
			if (dir.isEmpty()) {
				continue;
			}
			Path candidate = Path.of(dir, name);
			if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
				return candidate.toString();
			}
		}
		throw new IllegalArgumentException("exec: \"" + name + "\": executable file not found in $PATH");
	}

}
