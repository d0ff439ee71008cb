package dev.berth.runtime.linux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.StringArray;

/** Process-level system calls: descriptors, signals, prctl, rlimits, exec. */
public final class Kernel {

	public static final int O_RDONLY = 0;

	public static final int O_WRONLY = 1;

	public static final int O_RDWR = 2;

	public static final int O_NOCTTY = 0x100;

	public static final int O_NONBLOCK = 0x800;

	public static final int O_CLOEXEC = 0x80000;

	public static final int O_PATH = 0x200000;

	public static final int O_DIRECTORY = 0x10000;

	public static final int SIGKILL = 9;

	public static final int SIGTERM = 15;

	public static final int PR_SET_PDEATHSIG = 1;

	public static final int PR_SET_DUMPABLE = 4;

	public static final int PR_SET_KEEPCAPS = 8;

	public static final int PR_SET_CHILD_SUBREAPER = 36;

	public static final int PR_SET_NO_NEW_PRIVS = 38;

	public static final int WNOHANG = 1;

	/** clone(2): the child's parent is our own parent, which is also the one told of its exit. */
	public static final int CLONE_PARENT = 0x00008000;

	public static final int SIGCHLD = 17;

	/** clone3(2): the child is born in the cgroup2 directory whose descriptor is passed. */
	private static final long CLONE_INTO_CGROUP = 0x200000000L;

	private static final int CLONE_ARGS_SIZE = 88;

	private static final short POLLIN = 0x1;

	private static final int PRIO_PROCESS = 0;

	private static final int SIG_SETMASK = 2;

	private static final int CLOSE_RANGE_CLOEXEC = 1 << 2;

	private Kernel() {
	}

	public static int getpid() {
		return LibC.getpid();
	}

	public static int gettid() {
		return LibC.gettid();
	}

	/**
	 * Sets one thread's nice value ({@code who} a thread id, 0 for the calling thread): on Linux a
	 * nice value belongs to a thread, and the threads a process starts inherit their starter's.
	 */
	public static void setThreadNice(int who, int nice) {
		try {
			LibC.setpriority(PRIO_PROCESS, who, nice);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("setpriority", Integer.toString(who), ex.getErrorCode());
		}
	}

	public static int open(String path, int flags, int mode) {
		try {
			return LibC.open(path, flags, mode);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("open", path, ex.getErrorCode());
		}
	}

	public static void close(int fd) {
		try {
			LibC.close(fd);
		}
		catch (LastErrorException ex) {
			// the descriptor is released even when close reports an error; nothing to do
		}
	}

	/** A pipe as {read end, write end}, both close-on-exec. */
	public static int[] pipe() {
		int[] fds = new int[2];
		try {
			LibC.pipe2(fds, O_CLOEXEC);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("pipe2", null, ex.getErrorCode());
		}
		return fds;
	}

	public static void mkfifo(String path, int mode) {
		try {
			LibC.mkfifo(path, mode);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("mkfifo", path, ex.getErrorCode());
		}
	}

	public static void writeFully(int fd, byte[] data) {
		int offset = 0;
		while (offset < data.length) {
			byte[] chunk = (offset == 0) ? data : java.util.Arrays.copyOfRange(data, offset, data.length);
			try {
				offset += (int) LibC.write(fd, chunk, chunk.length);
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() != Errno.EINTR) {
					throw new SyscallException("write", "fd " + fd, ex.getErrorCode());
				}
			}
		}
	}

	/** Reads until end of file, or until {@code limit} bytes (then fails: the peer sent too much). */
	public static byte[] readToEnd(int fd, int limit) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[16384];
		while (true) {
			long n;
			try {
				n = LibC.read(fd, buffer, buffer.length);
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() == Errno.EINTR) {
					continue;
				}
				throw new SyscallException("read", "fd " + fd, ex.getErrorCode());
			}
			if (n <= 0) {
				return out.toByteArray();
			}
			out.write(buffer, 0, (int) n);
			if (out.size() > limit) {
				throw new IllegalStateException("more than " + limit + " bytes on fd " + fd);
			}
		}
	}

	/** A close-on-exec copy of {@code fd}. */
	public static int dup(int fd) {
		try {
			return LibC.fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("fcntl(F_DUPFD_CLOEXEC)", "fd " + fd, ex.getErrorCode());
		}
	}

	/** Clears O_NONBLOCK on a descriptor. */
	public static void setBlocking(int fd) {
		try {
			int flags = LibC.fcntl(fd, 3 /* F_GETFL */, 0);
			LibC.fcntl(fd, 4 /* F_SETFL */, flags & ~O_NONBLOCK);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("fcntl", "fd " + fd, ex.getErrorCode());
		}
	}

	/** One read; returns the count, 0 at end of file, or -1 when a non-blocking descriptor has nothing. */
	public static int read(int fd, byte[] buffer) {
		while (true) {
			try {
				return (int) LibC.read(fd, buffer, buffer.length);
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() == Errno.EAGAIN) {
					return -1;
				}
				if (ex.getErrorCode() != Errno.EINTR) {
					throw new SyscallException("read", "fd " + fd, ex.getErrorCode());
				}
			}
		}
	}

	public static String readToEndUtf8(int fd, int limit) {
		return new String(readToEnd(fd, limit), StandardCharsets.UTF_8);
	}

	public static void kill(int pid, int signal) {
		try {
			LibC.kill(pid, signal);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("kill", "pid " + pid + " signal " + signal, ex.getErrorCode());
		}
	}

	/** True if a process with this pid exists (signal 0 probes without sending). */
	public static boolean exists(int pid) {
		try {
			LibC.kill(pid, 0);
			return true;
		}
		catch (LastErrorException ex) {
			return ex.getErrorCode() == Errno.EPERM;
		}
	}

	/**
	 * Reaps a child. Returns {pid, raw status}, or null with {@link #WNOHANG} when none has exited.
	 * Throws with ECHILD when there is no child left to wait for.
	 */
	public static int[] waitpid(int pid, int options) {
		int[] status = new int[1];
		while (true) {
			try {
				int reaped = LibC.waitpid(pid, status, options);
				return (reaped == 0) ? null : new int[] { reaped, status[0] };
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() != Errno.EINTR) {
					throw new SyscallException("waitpid", "pid " + pid, ex.getErrorCode());
				}
			}
		}
	}

	/**
	 * Forks this process with clone3(2) {@code flags} (namespaces, {@link #CLONE_PARENT}), born in
	 * the cgroup2 directory {@code cgroupDirFd} unless it is negative: returns the child's pid here
	 * and 0 in the child. The parent is told of its exit with SIGCHLD, or as it is told of ours
	 * with {@code CLONE_PARENT}.
	 *
	 * <p>The child is a copy of this JVM with one thread, the caller: no GC, compiler or VM thread.
	 * Only a caller built for that may use it (see {@code InitZygote}); anything else must spawn.
	 */
	public static int cloneProcess(long flags, int cgroupDirFd) {
		// struct clone_args: eleven 64-bit fields, of which we set flags, exit_signal and cgroup
		Memory args = new Memory(CLONE_ARGS_SIZE);
		args.clear();
		args.setLong(0, flags | ((cgroupDirFd >= 0) ? CLONE_INTO_CGROUP : 0));
		// with CLONE_PARENT the kernel takes our own exit signal, and refuses another one
		args.setLong(32, ((flags & CLONE_PARENT) != 0) ? 0 : SIGCHLD);
		args.setLong(80, Math.max(cgroupDirFd, 0));
		try {
			// no new stack: like fork, the child goes on from this very frame on a copy of it
			return (int) LibC.syscall(Syscalls.CLONE3, args, CLONE_ARGS_SIZE);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("clone3", "flags 0x" + Long.toHexString(flags), ex.getErrorCode());
		}
	}

	/** Ends this process at once with {@code status}: no shutdown hooks, nothing of the JVM's exit. */
	public static void exitNow(int status) {
		LibC._exit(status);
	}

	/** Waits up to {@code timeoutMillis} for {@code fd} to be readable (or closed); false on timeout. */
	public static boolean awaitReadable(int fd, int timeoutMillis) {
		int[] pollFd = { fd, POLLIN };
		try {
			return LibC.poll(pollFd, 1, timeoutMillis) > 0;
		}
		catch (LastErrorException ex) {
			if (ex.getErrorCode() == Errno.EINTR) {
				return false;
			}
			throw new SyscallException("poll", "fd " + fd, ex.getErrorCode());
		}
	}

	/**
	 * True when process {@code pid} (its first thread) sleeps in futex(2), from
	 * {@code /proc/<pid>/syscall}: for a single-threaded copy of a JVM, a wait for a lock that
	 * some thread it no longer has was holding, which no one will ever release.
	 */
	public static boolean waitsOnFutex(int pid) {
		try {
			String call = Files.readString(Path.of("/proc", Integer.toString(pid), "syscall"));
			int end = call.indexOf(' ');
			return end > 0 && call.substring(0, end).equals(Long.toString(Syscalls.FUTEX));
		}
		catch (IOException ex) {
			return false; // gone
		}
	}

	/** The shell's view of a wait status: the exit code, or 128 + the signal that killed it. */
	public static int exitCode(int waitStatus) {
		int signal = waitStatus & 0x7f;
		return (signal == 0) ? (waitStatus >> 8) & 0xff : 128 + signal;
	}

	public static void prctl(int option, long argument) {
		try {
			LibC.prctl(option, argument, 0, 0, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("prctl", "option " + option, ex.getErrorCode());
		}
	}

	public static void setsid() {
		try {
			LibC.setsid();
		}
		catch (LastErrorException ex) {
			throw new SyscallException("setsid", null, ex.getErrorCode());
		}
	}

	public static void dup2(int oldFd, int newFd) {
		try {
			LibC.dup2(oldFd, newFd);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("dup2", oldFd + " to " + newFd, ex.getErrorCode());
		}
	}

	public static void setrlimit(String name, int resource, long soft, long hard) {
		try {
			LibC.setrlimit(resource, new long[] { soft, hard });
		}
		catch (LastErrorException ex) {
			throw new SyscallException("setrlimit", name + " soft " + Long.toUnsignedString(soft) + " hard "
					+ Long.toUnsignedString(hard), ex.getErrorCode());
		}
	}

	/** Marks every descriptor from 3 up close-on-exec, so the workload inherits only its stdio. */
	public static void closeRangeOnExec(int from) {
		try {
			LibC.syscall(Syscalls.CLOSE_RANGE, from, 0xFFFF_FFFFL, CLOSE_RANGE_CLOEXEC, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("close_range", from + "..", ex.getErrorCode());
		}
	}

	/**
	 * Gives every signal its default disposition and unblocks it on this thread: execve keeps both
	 * an ignored disposition and the mask, and the JVM ignores or blocks some signals.
	 */
	public static void resetSignals() {
		// raw rt_sigaction: glibc refuses to touch the two signals it keeps for itself (32, 33)
		Memory defaultAction = new Memory(64);
		defaultAction.clear(); // handler SIG_DFL, no flags, empty mask
		for (int signal = 1; signal <= 64; signal++) {
			if (signal != SIGKILL && signal != 19 /* SIGSTOP */) {
				try {
					LibC.syscall(Syscalls.RT_SIGACTION, signal, defaultAction, 0L, 8L);
				}
				catch (LastErrorException ex) {
					throw new SyscallException("rt_sigaction", Signals.name(signal), ex.getErrorCode());
				}
			}
		}
		Memory set = new Memory(128);
		LibC.sigemptyset(set);
		LibC.pthread_sigmask(SIG_SETMASK, set, null);
	}

	/** Replaces this process with {@code path}; returns only by throwing. */
	public static void execve(String path, java.util.List<String> args, java.util.List<String> env) {
		StringArray argv = new StringArray(args.toArray(new String[0]));
		StringArray envp = new StringArray(env.toArray(new String[0]));
		try {
			LibC.execve(path, argv, envp);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("exec", path, ex.getErrorCode());
		}
		throw new IllegalStateException("execve returned");
	}

	public static void ioctl(int fd, long request, com.sun.jna.Pointer argument, String what) {
		try {
			LibC.ioctl(fd, request, argument);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("ioctl", what, ex.getErrorCode());
		}
	}

	public static int ioctl(int fd, long request, long argument, String what) {
		try {
			return LibC.ioctl(fd, request, argument);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("ioctl", what, ex.getErrorCode());
		}
	}

	public static int umask(int mask) {
		return LibC.umask(mask);
	}

	/** Loads a seccomp BPF program ({@code struct sock_filter[]}) on the calling thread. */
	public static void loadSeccomp(byte[] filter, int flags) {
		Memory program = new Memory(filter.length);
		program.write(0, filter, 0, filter.length);
		Memory fprog = new Memory(16);
		fprog.setShort(0, (short) (filter.length / 8));
		fprog.setPointer(8, program);
		try {
			LibC.syscall(Syscalls.SECCOMP, 1 /* SECCOMP_SET_MODE_FILTER */, flags, fprog);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("seccomp", "load filter", ex.getErrorCode());
		}
	}

}
