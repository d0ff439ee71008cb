package dev.berth.runtime.seccomp;

import dev.berth.runtime.spec.SpecException;

/**
 * The spec's {@code SCMP_ACT_*} names as the {@code SECCOMP_RET_*} values a filter returns
 * ({@code linux/seccomp.h}). An action is a plain {@code int} so that two spellings of one
 * action, {@code SCMP_ACT_KILL} and {@code SCMP_ACT_KILL_THREAD} say, compare equal.
 */
final class SeccompActions {

	static final int KILL_PROCESS = 0x80000000;

	static final int KILL_THREAD = 0x00000000;

	static final int TRAP = 0x00030000;

	static final int ERRNO = 0x00050000;

	static final int TRACE = 0x7ff00000;

	static final int LOG = 0x7ffc0000;

	static final int ALLOW = 0x7fff0000;

	/** The 16 bits of {@code SECCOMP_RET_DATA}: the errno, or the value a tracer sees. */
	static final int MAX_DATA = 0xFFFF;

	/** {@code ENOSYS}: the errno a kernel gives for a system call it does not have. */
	static final int ENOSYS = 38;

	/** Used when {@code errnoRet} is absent, as runc does for both ERRNO and TRACE. */
	static final int EPERM = 1;

	private SeccompActions() {
	}

	/**
	 * Reads an action; {@code data} ({@code errnoRet}) only counts for ERRNO and TRACE and is
	 * ignored otherwise, as runc ignores it.
	 */
	static int parse(String name, Long data, String field, String dataField) {
		if (name == null) {
			throw new SpecException(field + ": required");
		}
		return switch (name) {
			case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> KILL_THREAD;
			case "SCMP_ACT_KILL_PROCESS" -> KILL_PROCESS;
			case "SCMP_ACT_TRAP" -> TRAP;
			case "SCMP_ACT_ERRNO" -> ERRNO | data(data, dataField);
			case "SCMP_ACT_TRACE" -> TRACE | data(data, dataField);
			case "SCMP_ACT_ALLOW" -> ALLOW;
			case "SCMP_ACT_LOG" -> LOG;
			case "SCMP_ACT_NOTIFY" -> throw new SpecException(field
					+ ": SCMP_ACT_NOTIFY is not supported (Berth has no seccomp notification listener)");
			default -> throw new SpecException(field + ": unknown action \"" + name + "\"");
		};
	}

	private static int data(Long data, String field) {
		if (data == null) {
			return EPERM;
		}
		if (data < 0 || data > MAX_DATA) {
			throw new SpecException(field + ": must be 0.." + MAX_DATA + ", got " + data);
		}
		return data.intValue();
	}

	/** Whether {@code action} lets the system call run: ALLOW, LOG or TRACE (a tracer decides). */
	static boolean runs(int action) {
		return action == ALLOW || action == LOG || (action & ~MAX_DATA) == TRACE;
	}

	/** A readable form for messages and test failures: {@code ERRNO(1)}, {@code ALLOW}. */
	static String describe(int action) {
		int data = action & MAX_DATA;
		return switch (action & ~MAX_DATA) {
			case KILL_PROCESS -> "KILL_PROCESS";
			case KILL_THREAD -> "KILL_THREAD";
			case TRAP -> "TRAP";
			case ERRNO -> "ERRNO(" + data + ")";
			case TRACE -> "TRACE(" + data + ")";
			case LOG -> "LOG";
			case ALLOW -> "ALLOW";
			default -> String.format("0x%08x", action);
		};
	}

}
