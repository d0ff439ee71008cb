package dev.berth.runtime.linux;

/**
 * A system call that failed: the operation, the path or object it acted on, and the errno by
 * name, e.g. {@code mount /proc on /run/c/rootfs/proc: EPERM (Operation not permitted)}.
 */
public class SyscallException extends RuntimeException {

	private final String operation;

	private final int errno;

	public SyscallException(String operation, String subject, int errno) {
		super(operation + ((subject == null || subject.isEmpty()) ? "" : " " + subject) + ": " + Errno.describe(errno));
		this.operation = operation;
		this.errno = errno;
	}

	public String operation() {
		return this.operation;
	}

	public int errno() {
		return this.errno;
	}

}
