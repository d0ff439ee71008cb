package dev.berth.runtime.init;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.linux.UnixSockets;

/**
 * One init JVM per node that forks every container init: started once and trained, it clones a
 * copy of itself for each new container and each exec, and the copy goes on as that init. A
 * copy skips what a fresh JVM pays before its first system call (start-up, class loading, JNA's
 * binding, the first run of every call site: about 220 ms of CPU) and costs about 25 ms instead.
 *
 * <p>A copy of a JVM is safe only within limits, and the zygote keeps them:
 * <ul>
 * <li>the copy has one thread, the one that asked for the clone: no GC, compiler or VM thread. So
 * it allocates only within room left free in the young generation for it (a collection would wait
 * for the VM thread), it starts no thread and it never exits through the JVM ({@link Kernel#exitNow}).
 * <li>a lock that another thread of the zygote held at the instant of the clone stays held in the
 * copy for ever. So the zygote runs interpreted, with no compiler thread (a copy would ask for
 * compilations under the compile queue's lock: with C1, 1 copy in about 100 waited on it for
 * ever) and no compiled code (a class a copy loads could invalidate some, and deoptimizing needs
 * the VM thread), and after training it runs nothing but this loop. The launcher catches what is left: a
 * copy found asleep in futex(2) before it is ready is killed, and the container gets a fresh JVM
 * instead ({@code InitLauncher}).
 * </ul>
 *
 * <p>A new container's copy is PID 1 of a pid namespace of its own ({@code CLONE_NEWPID}); an exec's
 * is born in its container's. Each is a child of the zygote's parent ({@code CLONE_PARENT}: the
 * shim, which reaps it as any other init) and leads a session of its own, as a spawned init does.
 * Each is born in its container's cgroup2 directory and writes itself into its v1 cgroups, which,
 * unlike a move by pid, never waits for an RCU grace period ({@code CgroupEntry}).
 *
 * <p>The protocol, on {@link InitProtocol#CONTROL_FD}: the zygote says {@code warmed} once trained;
 * then each request is a message with the copy's control socket attached, and after it the
 * container's cgroup2 directory if the host has one: a byte for the pid namespace
 * ({@code InitProtocol.FORK_*}), then for an exec the path of the container's, then a NUL before
 * each v1 {@code tasks} file the copy joins.
 * The answer is a line with the copy's pid, or {@code error <message>}. The copy finds its control
 * socket at {@link InitProtocol#CONTROL_FD} and goes on as {@link InitMain} goes on for a spawned init.
 */
final class InitZygote {

	/**
	 * Young-generation room kept free for a copy. A container's set-up allocates well under 2 MiB
	 * (its spec parsed, its paths and mount options); the rest is margin for large specs.
	 */
	private static final long COPY_HEAP_ROOM = 16L << 20;

	/**
	 * How often training runs the set-up: once loads and links every class and resolves every call
	 * site a container's set-up needs; the second run finds what the first one's first-time paths hid.
	 */
	private static final int TRAINING_ROUNDS = 2;

	private InitZygote() {
	}

	/**
	 * Trains, then forks on request until the launcher goes away. Returns only in a copy, which
	 * goes on as a container's init: the {@code tasks} files of the v1 cgroups it must still write
	 * itself into ({@code InitMain.joinCgroups}).
	 */
	static List<String> serve() throws Exception {
		for (int i = 0; i < TRAINING_ROUNDS; i++) {
			Training.run();
		}
		// trained at the low priority we were started with; copies set containers up at the shim's
		Kernel.setThreadNice(0, 0);
		InitMain.tell(InitProtocol.WARMED);
		MemoryPoolMXBean eden = youngGeneration();
		while (true) {
			UnixSockets.Received request = UnixSockets.receiveDescriptors(InitProtocol.CONTROL_FD, 2,
					InitProtocol.MAX_FORK_REQUEST_BYTES);
			if (request.fds().length == 0 || request.data().length == 0) {
				Kernel.exitNow(0); // the launcher closed its end: nothing more to fork for
			}
			int control = request.fds()[0];
			int cgroupDir = (request.fds().length > 1) ? request.fds()[1] : -1;
			// the pid namespace's path, then the v1 tasks files, each after a NUL
			String[] fields = new String(request.data(), 1, request.data().length - 1, StandardCharsets.UTF_8)
				.split("\0", -1);
			keepRoomForCopy(eden);
			int pid;
			try {
				pid = fork(request.data()[0], fields[0], cgroupDir);
			}
			catch (RuntimeException ex) {
				Kernel.close(control);
				InitMain.tell(InitProtocol.ERROR_PREFIX + ex.getMessage());
				continue;
			}
			finally {
				if (cgroupDir >= 0) {
					Kernel.close(cgroupDir);
				}
			}
			if (pid == 0) {
				// the copy: its own control socket where an init has it (closing our copy of the zygote's),
				// and a session of its own, as posix_spawn gives a cold init
				Kernel.dup2(control, InitProtocol.CONTROL_FD);
				Kernel.close(control);
				Kernel.setsid();
				return List.of(fields).subList(1, fields.length);
			}
			Kernel.close(control);
			InitMain.tell(Integer.toString(pid));
		}
	}

	/**
	 * Clones a copy in the pid namespace the request names: a new one, ours, or the one at
	 * {@code path} (an exec into a container); born in the cgroup2 directory {@code cgroupDir}
	 * unless it is negative. Returns 0 in the copy.
	 */
	private static int fork(byte mode, String path, int cgroupDir) {
		long flags = Kernel.CLONE_PARENT;
		boolean join = mode == InitProtocol.FORK_JOIN_PID_NAMESPACE;
		if (mode == InitProtocol.FORK_NEW_PID_NAMESPACE) {
			flags |= LinuxSyscalls.CLONE_NEWPID;
		}
		else if (join) {
			// setns(CLONE_NEWPID) moves where our next child is born, not us
			JnaLinuxSyscalls.INSTANCE.setns(path, LinuxSyscalls.CLONE_NEWPID);
		}
		else if (mode != InitProtocol.FORK_HOST_PID_NAMESPACE) {
			throw new IllegalArgumentException("unknown request " + mode);
		}
		int pid;
		try {
			pid = Kernel.cloneProcess(flags, cgroupDir);
		}
		catch (RuntimeException ex) {
			if (join) {
				backToOurPidNamespace();
			}
			throw ex;
		}
		if (join && pid != 0) {
			backToOurPidNamespace();
		}
		return pid;
	}

	/** Children born in our own pid namespace again; a zygote that cannot is no use, and ends. */
	private static void backToOurPidNamespace() {
		try {
			JnaLinuxSyscalls.INSTANCE.setns("/proc/self/ns/pid", LinuxSyscalls.CLONE_NEWPID);
		}
		catch (RuntimeException ex) {
			InitMain.tell(InitProtocol.ERROR_PREFIX + "cannot return to its own pid namespace: " + ex.getMessage());
			Kernel.exitNow(1);
		}
	}

	/** Collects garbage now when the young generation has less room than a copy may need. */
	private static void keepRoomForCopy(MemoryPoolMXBean eden) {
		MemoryUsage usage = eden.getUsage();
		if (usage.getCommitted() - usage.getUsed() < COPY_HEAP_ROOM) {
			System.gc();
		}
	}

	/** The pool new objects are allocated in (Serial GC's eden), where a copy allocates. */
	private static MemoryPoolMXBean youngGeneration() {
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getType() == MemoryType.HEAP && pool.getName().contains("Eden")) {
				return pool;
			}
		}
		throw new IllegalStateException("no eden space: the zygote needs the serial collector");
	}

}
