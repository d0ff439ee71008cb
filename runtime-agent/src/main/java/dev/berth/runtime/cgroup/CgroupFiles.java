package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes cgroup interface files. Every write is one {@code write(2)} of the whole value
 * to an existing file (never created, never truncated), which is what the kernel expects; errors
 * become {@link CgroupException}s naming the file and the value. Tests replace the four primitives
 * at the bottom to model a kernel on a temporary directory.
 */
class CgroupFiles {

	static final CgroupFiles SYSTEM = new CgroupFiles();

	String read(Path file) {
		try {
			return readString(file);
		}
		catch (IOException ex) {
			throw CgroupException.cannotRead(file, ex);
		}
	}

	/**
	 * The content of a file that a kernel version or a missing controller may not provide, or
	 * {@code null} if the file does not exist.
	 */
	String readIfPresent(Path file) {
		try {
			return readString(file);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
		catch (IOException ex) {
			throw CgroupException.cannotRead(file, ex);
		}
	}

	/**
	 * A single number, or {@code orElse} if the file does not exist; {@code max} reads as
	 * {@link CgroupStats#UNLIMITED}.
	 */
	long readLong(Path file, long orElse) {
		String content = readIfPresent(file);
		return (content != null) ? parseLong(file, content.strip()) : orElse;
	}

	/**
	 * A flat keyed file such as {@code memory.stat} or {@code cpu.stat} ({@code key value} lines),
	 * empty if the file does not exist.
	 */
	Map<String, Long> readKeyed(Path file) {
		String content = readIfPresent(file);
		Map<String, Long> values = new LinkedHashMap<>();
		if (content == null) {
			return values;
		}
		for (String line : content.split("\n")) {
			String[] fields = line.strip().split("\\s+");
			if (fields.length == 2) {
				values.put(fields[0], parseLong(file, fields[1]));
			}
		}
		return values;
	}

	void write(Path file, String value) {
		try {
			writeString(file, value);
		}
		catch (IOException ex) {
			throw CgroupException.cannotWrite(file, value, ex);
		}
	}

	boolean isDirectory(Path dir) {
		return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
	}

	boolean exists(Path file) {
		return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
	}

	/**
	 * Creates a cgroup directory whose parent exists; {@code false} if it was there already.
	 */
	boolean createDirectory(Path dir) throws IOException {
		try {
			mkdir(dir);
			return true;
		}
		catch (FileAlreadyExistsException ex) {
			return false;
		}
	}

	/**
	 * The child cgroups of a cgroup (in a cgroup directory every subdirectory is one), empty if the
	 * cgroup is gone.
	 */
	List<Path> children(Path dir) {
		List<Path> children = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
			for (Path entry : entries) {
				if (isDirectory(entry)) {
					children.add(entry);
				}
			}
		}
		catch (NoSuchFileException ex) {
			// removed meanwhile
		}
		catch (IOException ex) {
			throw CgroupException.cannot("list", dir, ex);
		}
		return children;
	}

	static long parseLong(Path file, String value) {
		if (value.equals("max")) {
			return CgroupStats.UNLIMITED;
		}
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			try {
				// u64 counters past Long.MAX_VALUE: no limit or usage of ours gets there
				Long.parseUnsignedLong(value);
				return CgroupStats.UNLIMITED;
			}
			catch (NumberFormatException notUnsigned) {
				throw new CgroupException(
						file.getFileName() + ": cannot read: \"" + value + "\" is not a number", file, ex);
			}
		}
	}

	String readString(Path file) throws IOException {
		// Latin-1 maps every byte, so an odd byte cannot fail a read
		return Files.readString(file, StandardCharsets.ISO_8859_1);
	}

	void writeString(Path file, String value) throws IOException {
		Files.write(file, value.getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE);
	}

	void mkdir(Path dir) throws IOException {
		Files.createDirectory(dir);
	}

	/**
	 * Removes a cgroup: {@code rmdir(2)}, which succeeds on a cgroup directory although it lists
	 * interface files, and fails with {@code EBUSY} while it has processes or child cgroups.
	 */
	void rmdir(Path dir) throws IOException {
		Files.delete(dir);
	}

}
