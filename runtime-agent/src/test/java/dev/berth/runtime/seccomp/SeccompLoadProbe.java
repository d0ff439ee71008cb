package dev.berth.runtime.seccomp;

import java.util.HexFormat;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The child JVM of {@link SeccompKernelLoadTests}: loads a filter into the kernel on its main
 * thread, makes a few system calls and prints one {@code probe: <name> <result>} line each. JNA
 * stays in test code; the compiler itself never touches native code.
 */
public final class SeccompLoadProbe {

	private static final int PR_SET_NO_NEW_PRIVS = 38;

	private static final int RLIMIT_CORE = 4;

	private static final long SYS_FCHDIR = 81;

	private static final long SYS_FACCESSAT2 = 439;

	private static final long AT_FDCWD = -100;

	private static final long SYS_GETPID = 39;

	private static final long SYS_MKDIR = 83;

	private static final long SYS_SECCOMP = 317;

	private static final long SECCOMP_SET_MODE_FILTER = 1;

	private static final long X32_SYSCALL_BIT = 0x4000_0000L;

	private SeccompLoadProbe() {
	}

	/**
	 * Arguments: mode ({@code calls}, {@code newer} or {@code x32}), the filter in hex, the flags,
	 * a path to mkdir.
	 */
	public static void main(String[] args) {
		String mode = args[0];
		byte[] filter = HexFormat.of().parseHex(args[1]);
		long flags = Long.parseLong(args[2]);
		// a filter that kills the JVM must not leave a core dump the size of a heap behind
		Memory noCore = new Memory(16);
		noCore.clear();
		LinuxC.INSTANCE.setrlimit(RLIMIT_CORE, noCore);

		Memory instructions = new Memory(filter.length);
		instructions.write(0, filter, 0, filter.length);
		// struct sock_fprog { unsigned short len; struct sock_filter *filter; }
		Memory program = new Memory(16);
		program.clear();
		program.setShort(0, (short) (filter.length / 8));
		program.setPointer(8, instructions);
		if (mode.equals("newer")) {
			report("faccessat2-unfiltered", () -> faccessat2Root());
		}
		report("no_new_privs", () -> LinuxC.INSTANCE.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		report("load", () -> LinuxC.INSTANCE.syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, flags, program));
		switch (mode) {
			case "calls" -> {
				report("getpid", () -> LinuxC.INSTANCE.syscall(SYS_GETPID));
				report("mkdir", () -> LinuxC.INSTANCE.syscall(SYS_MKDIR, args[3], 0700L));
				report("fchdir-9999", () -> LinuxC.INSTANCE.syscall(SYS_FCHDIR, 9999L));
				report("fchdir-9998", () -> LinuxC.INSTANCE.syscall(SYS_FCHDIR, 9998L));
				report("fchdir-high-9999", () -> LinuxC.INSTANCE.syscall(SYS_FCHDIR, 0x1_0000_270FL));
			}
			case "newer" -> {
				report("getpid", () -> LinuxC.INSTANCE.syscall(SYS_GETPID));
				report("mkdir", () -> LinuxC.INSTANCE.syscall(SYS_MKDIR, args[3], 0700L));
				report("faccessat2", () -> faccessat2Root());
			}
			case "x32" -> report("x32-getpid", () -> LinuxC.INSTANCE.syscall(X32_SYSCALL_BIT | SYS_GETPID));
			default -> throw new IllegalArgumentException(mode);
		}
		report("done", () -> 0);
	}

	/** {@code faccessat2(AT_FDCWD, "/", F_OK, 0)}: succeeds on any kernel that has it (5.8+). */
	private static long faccessat2Root() {
		return LinuxC.INSTANCE.syscall(SYS_FACCESSAT2, AT_FDCWD, "/", 0L, 0L);
	}

	private static void report(String name, NativeCall call) {
		String result;
		try {
			result = "ok " + call.invoke();
		}
		catch (LastErrorException ex) {
			result = "errno " + ex.getErrorCode();
		}
		System.out.println("probe: " + name + " " + result);
		System.out.flush();
	}

	@FunctionalInterface
	private interface NativeCall {

		long invoke() throws LastErrorException;

	}

	interface LinuxC extends Library {

		LinuxC INSTANCE = Native.load("c", LinuxC.class);

		int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

		long syscall(long number, Object... args) throws LastErrorException;

		int setrlimit(int resource, Pointer limit) throws LastErrorException;

	}

}
