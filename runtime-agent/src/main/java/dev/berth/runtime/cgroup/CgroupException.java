package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A cgroup operation that the kernel, or this host's cgroup setup, refused. The message names the
 * interface file and the value, as in {@code memory.limit_in_bytes: cannot write 1000: Device or
 * resource busy}, so that it can be shown to a user as it is.
 */
public class CgroupException extends RuntimeException {

	private final Path file;

	public CgroupException(String message, Path file) {
		this(message, file, null);
	}

	public CgroupException(String message, Path file, Throwable cause) {
		super(message, cause);
		this.file = file;
	}

	/**
	 * The interface file or cgroup directory concerned, or {@code null}.
	 */
	public Path getFile() {
		return this.file;
	}

	static CgroupException cannotWrite(Path file, String value, IOException ex) {
		return new CgroupException(file.getFileName() + ": cannot write " + value + ": " + reason(ex), file, ex);
	}

	static CgroupException cannotRead(Path file, IOException ex) {
		return new CgroupException(file.getFileName() + ": cannot read: " + reason(ex), file, ex);
	}

	static CgroupException cannot(String action, Path dir, IOException ex) {
		return new CgroupException(dir + ": cannot " + action + ": " + reason(ex), dir, ex);
	}

	/**
	 * The kernel's words for a failed system call: Java puts {@code strerror} in the reason of a
	 * {@link FileSystemException} (or in the message of a plain {@link IOException} from
	 * {@code write}), except for the errors it has its own exception types for.
	 */
	static String reason(IOException ex) {
		if (ex instanceof NoSuchFileException) {
			return "No such file or directory";
		}
		if (ex instanceof AccessDeniedException) {
			return "Permission denied";
		}
		if (ex instanceof FileSystemException fse) {
			return (fse.getReason() != null) ? fse.getReason() : fse.getClass().getSimpleName();
		}
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

}
