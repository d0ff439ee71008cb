package dev.berth.runtime.init;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.UnixSockets;

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
		List<String> cgroupTasks = List.of();
		if (args.length > 0 && args[0].equals(InitProtocol.ZYGOTE)) {
			// returns only in a forked copy, which goes on below as this container's init
			cgroupTasks = InitZygote.serve();
		}
		Bootstrap bootstrap;
		try {
			bootstrap = receiveBootstrap();
		}
		catch (Throwable ex) {
			// the parent went away before sending a container
			Kernel.exitNow(0);
			return;
		}
		try {
			joinCgroups(cgroupTasks);
			preloadClasses();
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
				tell(InitProtocol.ERROR_PREFIX + message);
			}
			catch (Throwable notHeard) {
				// after ready nobody reads the control socket: the container's stderr is where it shows
				System.err.println("berth-init: " + message);
			}
			// not through the JVM's exit, which a forked copy could not run (it has no VM thread)
			Kernel.exitNow(1);
		}
	}

	/**
	 * Takes the container's descriptors and bootstrap from the control socket; stdio goes to 0-2,
	 * the exec FIFO and console socket stay where they arrived (close-on-exec).
	 */
	private static Bootstrap receiveBootstrap() {
		UnixSockets.Received header = UnixSockets.receiveDescriptors(InitProtocol.CONTROL_FD, InitProtocol.PASSED_FDS, 4);
		if (header.data().length < 4 || header.fds().length != InitProtocol.PASSED_FDS) {
			throw new IllegalStateException("no bootstrap");
		}
		int length = java.nio.ByteBuffer.wrap(header.data()).getInt();
		if (length < 0 || length > InitProtocol.MAX_BOOTSTRAP_BYTES) {
			throw new IllegalStateException("bootstrap of " + length + " bytes");
		}
		byte[] json = new byte[length];
		int offset = 0;
		byte[] buffer = new byte[65536];
		while (offset < length) {
			int n = Kernel.read(InitProtocol.CONTROL_FD, buffer);
			if (n <= 0) {
				throw new IllegalStateException("bootstrap cut short");
			}
			int take = Math.min(n, length - offset);
			System.arraycopy(buffer, 0, json, offset, take);
			offset += take;
		}
		for (int i = 0; i < 3; i++) {
			// 0-2 are the JVM's own stdio, so replacing them closes nothing it reads from
			Kernel.dup2(header.fds()[i], i);
			Kernel.close(header.fds()[i]);
		}
		return Bootstrap.parse(new String(json, StandardCharsets.UTF_8))
			.withDescriptors(header.fds()[InitProtocol.EXEC_FIFO_INDEX], header.fds()[InitProtocol.CONSOLE_SOCKET_INDEX]);
	}

	/**
	 * Moves this process, a forked copy with one thread, into its v1 cgroups before it sets anything
	 * up: "0" names the writer, and a thread moving itself skips the wait for an RCU grace period
	 * that moving a process by pid costs (see {@code CgroupEntry}).
	 */
	private static void joinCgroups(List<String> tasksFiles) {
		byte[] self = { '0' };
		for (String tasks : tasksFiles) {
			int fd = Kernel.open(tasks, Kernel.O_WRONLY | Kernel.O_CLOEXEC, 0);
			try {
				Kernel.writeFully(fd, self);
			}
			finally {
				Kernel.close(fd);
			}
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
				"dev.berth.runtime.init.ProcessSetup", "com.sun.jna.StringArray", "com.sun.jna.NativeString",
				"com.sun.jna.NativeString$StringMemory", "com.sun.jna.Memory",
				"com.sun.jna.LastErrorException" }) {
			Class.forName(name, true, loader);
		}
	}

	/** Tells the parent that the process is set up (a new container then waits for start). */
	static void reportReady() {
		tell(InitProtocol.READY);
	}

	/** One line to the parent on the control socket (a line break inside it would end it early). */
	static void tell(String line) {
		Kernel.writeFully(InitProtocol.CONTROL_FD, (line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
	}

}
