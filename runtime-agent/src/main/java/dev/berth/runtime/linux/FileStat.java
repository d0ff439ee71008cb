package dev.berth.runtime.linux;

import java.time.Instant;

import com.sun.jna.Pointer;

/**
 * What {@code statx(2)} says about a file, the parts that archives and size accounting need.
 *
 * @param mode {@code st_mode}: the file type bits and the permission bits
 * @param device the device of the filesystem it is on, as {@code makedev(major, minor)}
 * @param rdevMajor for a device file, the device it stands for
 */
public record FileStat(int mode, long uid, long gid, long size, long inode, long device, int links, Instant accessed,
		Instant modified, int rdevMajor, int rdevMinor) {

	public static final int S_IFMT = 0170000;

	public static final int S_IFDIR = 0040000;

	public static final int S_IFREG = 0100000;

	public static final int S_IFLNK = 0120000;

	public static final int S_IFSOCK = 0140000;

	/** struct statx (linux/stat.h): the same layout on every architecture. */
	static FileStat of(Pointer statx) {
		int links = statx.getInt(16);
		long uid = statx.getInt(20) & 0xffff_ffffL;
		long gid = statx.getInt(24) & 0xffff_ffffL;
		int mode = statx.getShort(28) & 0xffff;
		long inode = statx.getLong(32);
		long size = statx.getLong(40);
		Instant accessed = Instant.ofEpochSecond(statx.getLong(64), statx.getInt(72) & 0xffff_ffffL);
		Instant modified = Instant.ofEpochSecond(statx.getLong(112), statx.getInt(120) & 0xffff_ffffL);
		long device = LinuxSyscalls.makedev(statx.getInt(136), statx.getInt(140));
		return new FileStat(mode, uid, gid, size, inode, device, links, accessed, modified, statx.getInt(128),
				statx.getInt(132));
	}

	public int type() {
		return this.mode & S_IFMT;
	}

	public boolean isDirectory() {
		return type() == S_IFDIR;
	}

	public boolean isRegularFile() {
		return type() == S_IFREG;
	}

	public boolean isSymbolicLink() {
		return type() == S_IFLNK;
	}

	/** overlayfs's whiteout: a character device 0/0 that hides the name in lower layers. */
	public boolean isWhiteout() {
		return type() == DirFd.S_IFCHR && this.rdevMajor == 0 && this.rdevMinor == 0;
	}

	/** The permission bits with setuid, setgid and sticky. */
	public int permissions() {
		return this.mode & 07777;
	}

}
