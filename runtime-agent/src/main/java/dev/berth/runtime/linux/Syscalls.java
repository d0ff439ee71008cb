package dev.berth.runtime.linux;

import com.sun.jna.Platform;

/** Numbers of the system calls glibc has no per-thread wrapper for, on the architectures we run on. */
final class Syscalls {

	static final long SETGROUPS;

	static final long SETRESUID;

	static final long SETRESGID;

	static final long PIVOT_ROOT;

	static final long SECCOMP;

	static final long RT_SIGACTION;

	static final long CLONE;

	static final long FUTEX;

	static final long CLOSE_RANGE = 436;

	static final long CLONE3 = 435;

	static final long PIDFD_OPEN = 434;

	static {
		if (Platform.isARM()) {
			SETGROUPS = 159;
			SETRESUID = 147;
			SETRESGID = 149;
			PIVOT_ROOT = 41;
			SECCOMP = 277;
			RT_SIGACTION = 134;
			CLONE = 220;
			FUTEX = 98;
		}
		else {
			SETGROUPS = 116;
			SETRESUID = 117;
			SETRESGID = 119;
			PIVOT_ROOT = 155;
			SECCOMP = 317;
			RT_SIGACTION = 13;
			CLONE = 56;
			FUTEX = 202;
		}
	}

	private Syscalls() {
	}

}
