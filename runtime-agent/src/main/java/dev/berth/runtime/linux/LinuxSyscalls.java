package dev.berth.runtime.linux;

/**
 * The kernel calls that lay out a container's filesystem and namespaces. Rootfs logic talks to
 * this interface so it can be unit tested with a recording fake; {@link JnaLinuxSyscalls} is the
 * real thing, tested as root.
 */
public interface LinuxSyscalls {

	int CLONE_FS = 0x00000200;

	int CLONE_NEWNS = 0x00020000;

	int CLONE_NEWCGROUP = 0x02000000;

	int CLONE_NEWUTS = 0x04000000;

	int CLONE_NEWIPC = 0x08000000;

	int CLONE_NEWUSER = 0x10000000;

	int CLONE_NEWPID = 0x20000000;

	int CLONE_NEWNET = 0x40000000;

	long MS_RDONLY = 1;

	long MS_NOSUID = 2;

	long MS_NODEV = 4;

	long MS_NOEXEC = 8;

	long MS_SYNCHRONOUS = 16;

	long MS_REMOUNT = 32;

	long MS_MANDLOCK = 64;

	long MS_DIRSYNC = 128;

	long MS_NOSYMFOLLOW = 256;

	long MS_NOATIME = 1024;

	long MS_NODIRATIME = 2048;

	long MS_BIND = 4096;

	long MS_MOVE = 8192;

	long MS_REC = 16384;

	long MS_UNBINDABLE = 1 << 17;

	long MS_PRIVATE = 1 << 18;

	long MS_SLAVE = 1 << 19;

	long MS_SHARED = 1 << 20;

	long MS_RELATIME = 1 << 21;

	long MS_STRICTATIME = 1 << 24;

	int MNT_DETACH = 2;

	void mount(String source, String target, String type, long flags, String data);

	void umount(String target, int flags);

	void pivotRoot(String newRoot, String putOld);

	void chdir(String path);

	void mknod(String path, int mode, long device);

	void lchown(String path, long uid, long gid);

	void sethostname(String name);

	void unshare(int flags);

	/** Joins the namespace at {@code path} (a {@code /proc/<pid>/ns/<type>} or a bind-mounted one). */
	void setns(String path, int type);

	static long makedev(long major, long minor) {
		return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12)
				| (minor & 0xffL);
	}

}
