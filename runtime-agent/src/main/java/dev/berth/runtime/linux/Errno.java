package dev.berth.runtime.linux;

/** Names of the errno values a runtime meets, so errors read like the man pages. */
public final class Errno {

	public static final int EPERM = 1;

	public static final int ENOENT = 2;

	public static final int ESRCH = 3;

	public static final int EINTR = 4;

	public static final int EAGAIN = 11;

	public static final int EACCES = 13;

	public static final int EBUSY = 16;

	public static final int EEXIST = 17;

	public static final int ENOTDIR = 20;

	public static final int EISDIR = 21;

	public static final int EINVAL = 22;

	public static final int ENOSYS = 38;

	public static final int ENOTEMPTY = 39;

	public static final int ELOOP = 40;

	public static final int ENODATA = 61;

	public static final int EOPNOTSUPP = 95;

	public static final int ECHILD = 10;

	private static final String[] NAMES = { "0", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG",
			"ENOEXEC", "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV",
			"ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC",
			"ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS",
			"ENOTEMPTY", "ELOOP" };

	private Errno() {
	}

	public static String name(int errno) {
		if (errno >= 0 && errno < NAMES.length) {
			return NAMES[errno];
		}
		return switch (errno) {
			case ENODATA -> "ENODATA";
			case EOPNOTSUPP -> "EOPNOTSUPP";
			default -> "errno " + errno;
		};
	}

	/** The error's text as runc prints it (Go's lower-case strerror): {@code no such file or directory}. */
	public static String text(int errno) {
		String text = strerror(errno);
		return (text != null) ? text.toLowerCase(java.util.Locale.ROOT) : name(errno);
	}

	static String describe(int errno) {
		String text = strerror(errno);
		return (text != null) ? name(errno) + " (" + text + ")" : name(errno);
	}

	/** The C library's text for the error, or null when it cannot be had. */
	private static String strerror(int errno) {
		try {
			return LibC.strerror(errno);
		}
		catch (Throwable ex) {
			return null;
		}
	}

}
