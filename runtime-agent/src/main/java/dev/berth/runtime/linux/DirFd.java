package dev.berth.runtime.linux;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;

/**
 * An open directory and the {@code *at} calls relative to it. Every {@code name} given here is a
 * single path component, and no call follows a symbolic link found there: a tree written from
 * untrusted input (an image layer) stays inside its root because a link that the input created is
 * never resolved on the way to the next write, whatever it points at.
 *
 * <p>The path kept with the descriptor only names things in error messages; nothing is looked up
 * through it again.
 */
public final class DirFd implements AutoCloseable {

	public static final int S_IFIFO = 0010000;

	public static final int S_IFCHR = 0020000;

	public static final int S_IFBLK = 0060000;

	private static final int AT_FDCWD = -100;

	private static final int AT_SYMLINK_NOFOLLOW = 0x100;

	private static final int O_WRONLY = 1;

	private static final int O_CREAT = 0x40;

	private static final int O_EXCL = 0x80;

	private static final int O_CLOEXEC = 0x80000;

	// arm64 numbers these two differently from x86_64 (asm/fcntl.h)
	private static final int O_DIRECTORY = Platform.isARM() ? 0x4000 : 0x10000;

	private static final int O_NOFOLLOW = Platform.isARM() ? 0x8000 : 0x20000;

	private static final int F_DUPFD_CLOEXEC = 1030;

	private static final int O_NOCTTY = 0x100;

	private static final int O_NONBLOCK = 0x800;

	/** openat2(2): the same number on x86_64 and arm64. */
	private static final long SYS_OPENAT2 = 437;

	private static final long RESOLVE_NO_MAGICLINKS = 0x02;

	private static final long RESOLVE_IN_ROOT = 0x10;

	/** sizeof(struct open_how): flags, mode, resolve. */
	private static final int OPEN_HOW_SIZE = 24;

	private static final int DIRECTORY_FLAGS = O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

	private static final int AT_EMPTY_PATH = 0x1000;

	/** statx's STATX_BASIC_STATS: type, mode, links, owner, times, inode, size, blocks. */
	private static final int STATX_BASIC_STATS = 0x7ff;

	/** sizeof(struct statx), the same on every architecture. */
	private static final int STATX_SIZE = 256;

	private final int fd;

	private final String path;

	private boolean closed;

	private DirFd(int fd, String path) {
		this.fd = fd;
		this.path = path;
	}

	/** Opens {@code path}, which must be a directory and not itself a symbolic link. */
	public static DirFd open(Path path) {
		String text = path.toString();
		try {
			return new DirFd(LibC.openat(AT_FDCWD, text, DIRECTORY_FLAGS, 0), text);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("open", text, ex.getErrorCode());
		}
	}

	/**
	 * Opens the root directory of process {@code pid}, {@code /proc/<pid>/root}: the root of its
	 * mount namespace as it sees it (a container's root filesystem, with the container's mounts
	 * below it). The magic link is followed, which is what it is for.
	 */
	public static DirFd openRootOf(long pid) {
		String text = "/proc/" + pid + "/root";
		try {
			return new DirFd(LibC.openat(AT_FDCWD, text, O_DIRECTORY | O_CLOEXEC, 0), text);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("open", text, ex.getErrorCode());
		}
	}

	/**
	 * Opens the directory at {@code path} as a process whose root is this directory would: with
	 * openat2's RESOLVE_IN_ROOT every symbolic link and {@code ..} on the way, the last component
	 * included, stays inside this directory. Before Linux 5.6 no link is followed at all.
	 */
	public DirFd openDirectoryInRoot(String path) {
		int fd = openInRoot(path, O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			throw new SyscallException("openat2", child(path), Errno.ENOENT);
		}
		return new DirFd(fd, child(path));
	}

	/**
	 * Opens the child directory {@code name}. A symbolic link there fails with ENOTDIR like any
	 * other non-directory (O_NOFOLLOW stops at the link, O_DIRECTORY refuses it).
	 */
	public DirFd openDirectory(String name) {
		try {
			return new DirFd(LibC.openat(this.fd, name, DIRECTORY_FLAGS, 0), child(name));
		}
		catch (LastErrorException ex) {
			throw new SyscallException("open", child(name), ex.getErrorCode());
		}
	}

	/** A second descriptor for the same directory, closed independently of this one. */
	public DirFd duplicate() {
		try {
			return new DirFd(LibC.fcntl(this.fd, F_DUPFD_CLOEXEC, 0), this.path);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("fcntl(F_DUPFD_CLOEXEC)", this.path, ex.getErrorCode());
		}
	}

	public void mkdir(String name, int mode) {
		try {
			LibC.mkdirat(this.fd, name, mode);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("mkdir", child(name), ex.getErrorCode());
		}
	}

	/** Creates a new regular file and opens it for writing; fails with EEXIST if anything is there. */
	public OutputStream createFile(String name, int mode) {
		try {
			// O_EXCL with O_NOFOLLOW: never opens an existing file, nor a link's target
			int file = LibC.openat(this.fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
			return new FdOutputStream(file, child(name));
		}
		catch (LastErrorException ex) {
			throw new SyscallException("create", child(name), ex.getErrorCode());
		}
	}

	public void symlink(String target, String name) {
		try {
			LibC.symlinkat(target, this.fd, name);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("symlink", child(name) + " -> " + target, ex.getErrorCode());
		}
	}

	/** {@code mode} carries the type ({@link #S_IFCHR}, {@link #S_IFBLK}, {@link #S_IFIFO}). */
	public void mknod(String name, int mode, long device) {
		try {
			LibC.mknodat(this.fd, name, mode, device);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("mknod", child(name), ex.getErrorCode());
		}
	}

	/**
	 * Makes {@code name} a hard link to {@code targetName} in {@code targetDir}. When the target is
	 * a symbolic link, the link itself gets a second name: without AT_SYMLINK_FOLLOW linkat never
	 * resolves it, so a link pointing outside cannot turn into a second name for a host file.
	 */
	public void link(DirFd targetDir, String targetName, String name) {
		try {
			LibC.linkat(targetDir.fd, targetName, this.fd, name, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("link", child(name) + " to " + targetDir.child(targetName), ex.getErrorCode());
		}
	}

	/**
	 * Removes {@code name} if it is there and not a directory. Returns 0, or ENOENT (nothing
	 * there) or EISDIR (a directory, left in place) without throwing: an unpacker asks this of
	 * every name it writes, and most are new.
	 */
	public int unlinkIfPresent(String name) {
		try {
			LibC.unlinkat(this.fd, name, 0);
			return 0;
		}
		catch (LastErrorException ex) {
			if (ex.getErrorCode() == Errno.ENOENT || ex.getErrorCode() == Errno.EISDIR) {
				return ex.getErrorCode();
			}
			throw new SyscallException("unlink", child(name), ex.getErrorCode());
		}
	}

	/** Changes the owner of {@code name} itself, a symbolic link included. */
	public void chown(String name, long uid, long gid) {
		try {
			LibC.fchownat(this.fd, name, (int) uid, (int) gid, AT_SYMLINK_NOFOLLOW);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("chown", child(name) + " to " + uid + ":" + gid, ex.getErrorCode());
		}
	}

	/**
	 * Sets the permission bits of {@code name}, which must not be a symbolic link: Linux has no
	 * mode on links, and fchmodat would follow one.
	 */
	public void chmod(String name, int mode) {
		try {
			LibC.fchmodat(this.fd, name, mode, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("chmod", child(name) + " to " + Integer.toOctalString(mode), ex.getErrorCode());
		}
	}

	/** Sets the access and modification times of {@code name} itself, a symbolic link included. */
	public void setTimes(String name, Instant access, Instant modification) {
		long[] times = { access.getEpochSecond(), access.getNano(), modification.getEpochSecond(),
				modification.getNano() };
		try {
			LibC.utimensat(this.fd, name, times, AT_SYMLINK_NOFOLLOW);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("utimensat", child(name), ex.getErrorCode());
		}
	}

	/**
	 * Sets an extended attribute on {@code name} itself. There is no setxattrat before Linux 6.13:
	 * the lookup goes through this descriptor's {@code /proc/self/fd} entry, whose directory is
	 * the one we hold, and lsetxattr does not follow a link in the last component.
	 */
	public void setXattr(String name, String key, byte[] value) {
		try {
			LibC.lsetxattr(procChild(name), key, value, value.length, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("setxattr " + key, child(name), ex.getErrorCode());
		}
	}

	/** An extended attribute of {@code name} itself, or null when it has none by that key. */
	public byte[] getXattr(String name, String key) {
		String path = procChild(name);
		try {
			long size = LibC.lgetxattr(path, key, null, 0);
			byte[] value = new byte[(int) size];
			long read = LibC.lgetxattr(path, key, value, value.length);
			return (read == size) ? value : Arrays.copyOf(value, (int) read);
		}
		catch (LastErrorException ex) {
			if (ex.getErrorCode() == Errno.ENODATA) {
				return null;
			}
			throw new SyscallException("getxattr " + key, child(name), ex.getErrorCode());
		}
	}

	/**
	 * Reads the regular file at {@code path} as a process whose root is this directory would: with
	 * openat2's RESOLVE_IN_ROOT the kernel resolves every symbolic link and {@code ..} on the way
	 * inside this directory, so a link in a container's root filesystem never leads to a host file,
	 * even while the container changes it. Returns null when there is no regular file there (a
	 * FIFO or device is not opened for reading); fails past {@code maxBytes}.
	 */
	public byte[] readFileInRoot(String path, int maxBytes) {
		// non-blocking: a FIFO planted at the path must not hang the open
		int file = openInRoot(path, O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (file < 0) {
			return null;
		}
		try {
			// the descriptor's /proc entry is the opened file itself, whatever its path is now
			if (!Files.isRegularFile(Path.of("/proc/self/fd/" + file))) {
				return null;
			}
			return Kernel.readToEnd(file, maxBytes);
		}
		finally {
			Kernel.close(file);
		}
	}

	/** openat2 with RESOLVE_IN_ROOT, or -1 when nothing is there. */
	private int openInRoot(String path, int flags) {
		try (Memory how = new Memory(OPEN_HOW_SIZE)) {
			how.setLong(0, flags);
			how.setLong(8, 0);
			how.setLong(16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
			return (int) LibC.syscall(SYS_OPENAT2, this.fd, path, how, OPEN_HOW_SIZE);
		}
		catch (LastErrorException ex) {
			if (ex.getErrorCode() == Errno.ENOSYS) {
				return openWithoutLinks(path, flags); // kernels before 5.6
			}
			if (isAbsent(ex.getErrorCode())) {
				return -1;
			}
			throw new SyscallException("openat2", child(path), ex.getErrorCode());
		}
	}

	/**
	 * What {@code name} itself is (a symbolic link is described, not followed); null when nothing
	 * is there. An empty name describes this directory.
	 */
	public FileStat stat(String name) {
		try (Memory buffer = new Memory(STATX_SIZE)) {
			int flags = AT_SYMLINK_NOFOLLOW | (name.isEmpty() ? AT_EMPTY_PATH : 0);
			LibC.statx(this.fd, name, flags, STATX_BASIC_STATS, buffer);
			return FileStat.of(buffer);
		}
		catch (LastErrorException ex) {
			if (isAbsent(ex.getErrorCode())) {
				return null;
			}
			throw new SyscallException("statx", child(name), ex.getErrorCode());
		}
	}

	/**
	 * Without openat2: opens {@code path} one component at a time, following no link at all; a
	 * path through a symbolic link counts as absent. Returns -1 when absent.
	 */
	private int openWithoutLinks(String path, int flags) {
		String[] names = Arrays.stream(path.split("/")).filter((n) -> !n.isEmpty()).toArray(String[]::new);
		if (Arrays.asList(names).contains("..")) {
			return -1;
		}
		if (names.length == 0) {
			return duplicate().releaseFd();
		}
		DirFd directory = duplicate();
		try {
			for (int i = 0; i < names.length - 1; i++) {
				DirFd next = directory.openDirectory(names[i]);
				directory.close();
				directory = next;
			}
			return LibC.openat(directory.fd, names[names.length - 1], flags | O_NOFOLLOW, 0);
		}
		catch (SyscallException ex) {
			if (isAbsent(ex.errno())) {
				return -1;
			}
			throw ex;
		}
		catch (LastErrorException ex) {
			if (isAbsent(ex.getErrorCode())) {
				return -1;
			}
			throw new SyscallException("open", child(path), ex.getErrorCode());
		}
		finally {
			directory.close();
		}
	}

	private static boolean isAbsent(int errno) {
		return errno == Errno.ENOENT || errno == Errno.ENOTDIR || errno == Errno.ELOOP;
	}

	/** Writes back everything cached for the filesystem this directory is on. */
	public void syncFilesystem() {
		try {
			LibC.syncfs(this.fd);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("syncfs", this.path, ex.getErrorCode());
		}
	}

	/** Hands the descriptor over to the caller, who closes it. */
	private int releaseFd() {
		this.closed = true;
		return this.fd;
	}

	/** This directory as {@code /proc/self/fd/<n>}, valid while the descriptor is open. */
	public Path procPath() {
		return Path.of("/proc/self/fd/" + this.fd);
	}

	/** The path this directory was reached by, for messages. */
	public String path() {
		return this.path;
	}

	@Override
	public void close() {
		if (!this.closed) {
			this.closed = true;
			Kernel.close(this.fd);
		}
	}

	private String procChild(String name) {
		return "/proc/self/fd/" + this.fd + "/" + name;
	}

	private String child(String name) {
		return this.path.endsWith("/") ? this.path + name : this.path + "/" + name;
	}

}
