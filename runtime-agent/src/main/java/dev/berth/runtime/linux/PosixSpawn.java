package dev.berth.runtime.linux;

import java.util.List;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.StringArray;

/**
 * Starts a program with {@code posix_spawn(3)}. A JVM may not {@code fork} at will: between fork and
 * exec only async-signal-safe code may run, and Java code is not (the one JVM built to be forked is
 * the init zygote, {@code InitZygote}, and it says why it may). glibc's posix_spawn uses a
 * vfork-style clone that runs no Java at all, and it works from a thread that has unshared its
 * pid namespace, where the JVM could no longer start a thread of its own.
 */
public final class PosixSpawn {

	private static final short POSIX_SPAWN_SETSIGDEF = 0x04;

	private static final short POSIX_SPAWN_SETSIGMASK = 0x08;

	private static final short POSIX_SPAWN_SETSID = 0x80;

	private static final int F_DUPFD_CLOEXEC = 1030;

	/** Descriptors moved out of the way before they are placed at 0, 1, 2, … in the child. */
	private static final int HIGH_FD = 100;

	private PosixSpawn() {
	}

	/**
	 * Spawns {@code path}. {@code childFds[i]} is the descriptor of this process that becomes
	 * descriptor {@code i} of the child, and the child gets no other descriptor. It gets default signal handling, an empty signal mask and, with
	 * {@code newSession}, a session of its own. Returns the child's pid as this process sees it.
	 */
	public static int spawn(String path, List<String> argv, List<String> env, int[] childFds, boolean newSession) {
		int[] moved = new int[childFds.length];
		Memory actions = new Memory(512);
		Memory attributes = new Memory(512);
		LibC.posix_spawn_file_actions_init(actions);
		LibC.posix_spawnattr_init(attributes);
		try {
			for (int i = 0; i < childFds.length; i++) {
				// a copy above every target, so placing one descriptor never overwrites another's source
				moved[i] = LibC.fcntl(childFds[i], F_DUPFD_CLOEXEC, HIGH_FD);
				LibC.posix_spawn_file_actions_adddup2(actions, moved[i], i);
			}
			// nothing else crosses: a descriptor another thread opened without close-on-exec (a
			// client's connection, say) must not be held open by a child that lives for days
			LibC.posix_spawn_file_actions_addclosefrom_np(actions, childFds.length);
			Memory none = new Memory(128);
			LibC.sigemptyset(none);
			Memory all = new Memory(128);
			LibC.sigfillset(all);
			LibC.posix_spawnattr_setsigmask(attributes, none);
			LibC.posix_spawnattr_setsigdefault(attributes, all);
			short flags = (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newSession ? POSIX_SPAWN_SETSID : 0));
			LibC.posix_spawnattr_setflags(attributes, flags);
			int[] pid = new int[1];
			int error = LibC.posix_spawn(pid, path, actions, attributes, new StringArray(argv.toArray(new String[0])),
					new StringArray(env.toArray(new String[0])));
			if (error != 0) {
				throw new SyscallException("posix_spawn", path, error);
			}
			return pid[0];
		}
		catch (LastErrorException ex) {
			throw new SyscallException("fcntl(F_DUPFD_CLOEXEC)", null, ex.getErrorCode());
		}
		finally {
			for (int fd : moved) {
				if (fd > 0) {
					Kernel.close(fd);
				}
			}
			LibC.posix_spawn_file_actions_destroy(actions);
			LibC.posix_spawnattr_destroy(attributes);
		}
	}

}
