package dev.berth.runtime.init;

import java.nio.charset.StandardCharsets;

import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.Kernel;

/**
 * The container init: the first program of a container, started by the shim or berth-runc, that
 * sets the container up and then {@code execve}s its workload (runc's {@code runc init}).
 */
public final class InitMain {

	private InitMain() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("--train")) {
			Training.run();
			return;
		}
		// first of all: /proc/<pid>/exe is the host's java until exec, and must not be reachable
		Kernel.prctl(Kernel.PR_SET_DUMPABLE, 0);
		try {
			preloadClasses();
			Bootstrap bootstrap = Bootstrap
				.parse(Kernel.readToEndUtf8(InitProtocol.BOOTSTRAP_FD, InitProtocol.MAX_BOOTSTRAP_BYTES));
			Kernel.close(InitProtocol.BOOTSTRAP_FD);
			if (bootstrap.mode().equals(InitProtocol.MODE_SETNS)) {
				new SetnsInit(JnaLinuxSyscalls.INSTANCE, bootstrap).run();
			}
			else {
				new StandardInit(JnaLinuxSyscalls.INSTANCE, bootstrap).run();
			}
		}
		catch (Throwable ex) {
			String message = (ex.getMessage() != null) ? ex.getMessage() : ex.toString();
			try {
				Kernel.writeFully(InitProtocol.SYNC_FD,
						(InitProtocol.ERROR_PREFIX + message.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
			}
			catch (Throwable ignored) {
				// the parent is gone; nobody to tell
			}
			Runtime.getRuntime().halt(1);
		}
	}

	/**
	 * Loads, before pivot_root takes the host's filesystem away, every class of ours that runs after
	 * it; a class path directory (as in development) is unreachable from inside the container.
	 */
	static void preloadClasses() throws ClassNotFoundException {
		ClassLoader loader = InitMain.class.getClassLoader();
		for (String name : new String[] { "dev.berth.runtime.linux.Rlimits", "dev.berth.runtime.linux.Credentials",
				"dev.berth.runtime.linux.Capability", "dev.berth.runtime.linux.SyscallException",
				"dev.berth.runtime.linux.Errno", "dev.berth.runtime.linux.Syscalls", "dev.berth.runtime.linux.Kernel", "dev.berth.runtime.linux.Signals", "dev.berth.runtime.linux.Pty", "dev.berth.runtime.linux.UnixSockets",
				"dev.berth.runtime.init.ProcessSetup", "com.sun.jna.StringArray", "com.sun.jna.Memory",
				"com.sun.jna.LastErrorException" }) {
			Class.forName(name, true, loader);
		}
	}

	/** Tells the parent that the container is set up and waits for start. */
	static void reportReady() {
		Kernel.writeFully(InitProtocol.SYNC_FD, (InitProtocol.READY + "\n").getBytes(StandardCharsets.UTF_8));
		Kernel.close(InitProtocol.SYNC_FD);
	}

}
