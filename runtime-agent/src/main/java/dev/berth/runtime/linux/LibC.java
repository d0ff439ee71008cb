package dev.berth.runtime.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * glibc, bound with JNA direct mapping: every function is registered once when this class loads,
 * so nothing is looked up lazily after {@code pivot_root} has taken the host's libraries away.
 *
 * <p>Calls that change credentials go through raw {@code syscall(2)}: glibc's wrappers broadcast
 * them to every thread of the JVM, while a container init must change only the exec'ing thread.
 */
final class LibC {

	static {
		Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
	}

	private LibC() {
	}

	static native int mount(String source, String target, String fstype, long flags, String data)
			throws LastErrorException;

	static native int umount2(String target, int flags) throws LastErrorException;

	static native int unshare(int flags) throws LastErrorException;

	static native int setns(int fd, int nstype) throws LastErrorException;

	static native int open(String path, int flags, int mode) throws LastErrorException;

	static native int close(int fd) throws LastErrorException;

	static native long read(int fd, byte[] buffer, long count) throws LastErrorException;

	static native long write(int fd, byte[] buffer, long count) throws LastErrorException;

	static native int chdir(String path) throws LastErrorException;

	static native int mknod(String path, int mode, long dev) throws LastErrorException;

	static native int mkfifo(String path, int mode) throws LastErrorException;

	static native int lchown(String path, int uid, int gid) throws LastErrorException;

	static native int umask(int mask);

	static native int sethostname(byte[] name, long length) throws LastErrorException;

	static native int setrlimit(int resource, long[] limit) throws LastErrorException;

	static native int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

	static native int capset(Pointer header, Pointer data) throws LastErrorException;

	static native int kill(int pid, int signal) throws LastErrorException;

	static native int setpriority(int which, int who, int priority) throws LastErrorException;

	static native int getpid();

	static native int gettid();

	static native int setsid() throws LastErrorException;

	static native int dup2(int oldFd, int newFd) throws LastErrorException;

	static native int pipe2(int[] fds, int flags) throws LastErrorException;

	static native int fcntl(int fd, int command, int argument) throws LastErrorException;

	static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

	/** Ends the process at once: no atexit handlers, no JVM shutdown (which a forked copy could not run). */
	static native void _exit(int status);

	/** {@code fds} holds {@code struct pollfd}s as int pairs: fd, then events | revents << 16. */
	static native int poll(int[] fds, long count, int timeoutMillis) throws LastErrorException;

	static native int ioctl(int fd, long request, Pointer argument) throws LastErrorException;

	static native int ioctl(int fd, long request, long argument) throws LastErrorException;

	static native int execve(String path, Pointer argv, Pointer envp) throws LastErrorException;

	static native long syscall(long number, long arg1, long arg2, long arg3, long arg4) throws LastErrorException;

	static native long syscall(long number, String arg1, String arg2) throws LastErrorException;

	static native long syscall(long number, long arg1, long arg2, Pointer arg3) throws LastErrorException;

	static native long syscall(long number, long arg1, Pointer arg2) throws LastErrorException;

	static native long syscall(long number, Pointer arg1, long arg2) throws LastErrorException;

	static native long syscall(long number, long arg1, Pointer arg2, long arg3, long arg4) throws LastErrorException;

	static native long syscall(long number, long arg1, String arg2, Pointer arg3, long arg4) throws LastErrorException;

	static native int pthread_sigmask(int how, Pointer set, Pointer oldSet);

	static native int sigemptyset(Pointer set);

	static native int sigfillset(Pointer set);

	static native int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attributes, Pointer argv,
			Pointer envp);

	static native int posix_spawn_file_actions_init(Pointer fileActions);

	static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

	static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

	static native int posix_spawn_file_actions_destroy(Pointer fileActions);

	static native int posix_spawnattr_init(Pointer attributes);

	static native int posix_spawnattr_setflags(Pointer attributes, short flags);

	static native int posix_spawnattr_setsigmask(Pointer attributes, Pointer mask);

	static native int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

	static native int posix_spawnattr_destroy(Pointer attributes);

	static native int socket(int domain, int type, int protocol) throws LastErrorException;

	static native int socketpair(int domain, int type, int protocol, int[] fds) throws LastErrorException;

	static native int connect(int fd, Pointer address, int length) throws LastErrorException;

	static native int bind(int fd, Pointer address, int length) throws LastErrorException;

	static native int listen(int fd, int backlog) throws LastErrorException;

	static native int accept4(int fd, Pointer address, Pointer length, int flags) throws LastErrorException;

	static native long sendmsg(int fd, Pointer message, int flags) throws LastErrorException;

	static native long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

	static native String strerror(int errno);

	static native int epoll_create1(int flags) throws LastErrorException;

	static native int epoll_ctl(int epollFd, int operation, int fd, byte[] event) throws LastErrorException;

	static native int epoll_wait(int epollFd, Pointer events, int maxEvents, int timeout) throws LastErrorException;

	static native int eventfd(int initialValue, int flags) throws LastErrorException;

	static native long read(int fd, Pointer buffer, long count) throws LastErrorException;

	static native int openat(int dirFd, String path, int flags, int mode) throws LastErrorException;

	static native int statx(int dirFd, String path, int flags, int mask, Pointer buffer) throws LastErrorException;

	static native int mkdirat(int dirFd, String path, int mode) throws LastErrorException;

	static native int mknodat(int dirFd, String path, int mode, long device) throws LastErrorException;

	static native int symlinkat(String target, int dirFd, String path) throws LastErrorException;

	static native int linkat(int oldDirFd, String oldPath, int newDirFd, String newPath, int flags)
			throws LastErrorException;

	static native int unlinkat(int dirFd, String path, int flags) throws LastErrorException;

	static native int fchownat(int dirFd, String path, int uid, int gid, int flags) throws LastErrorException;

	static native int fchmodat(int dirFd, String path, int mode, int flags) throws LastErrorException;

	/** {@code times} is {@code struct timespec[2]}: atime seconds, nanoseconds, then mtime's. */
	static native int utimensat(int dirFd, String path, long[] times, int flags) throws LastErrorException;

	static native int lsetxattr(String path, String name, byte[] value, long size, int flags)
			throws LastErrorException;

	static native long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

	static native int syncfs(int fd) throws LastErrorException;

	static native long write(int fd, Pointer buffer, long count) throws LastErrorException;

}
