package dev.berth.runtime.linux;

import java.nio.charset.StandardCharsets;

import com.sun.jna.LastErrorException;

/** {@link LinuxSyscalls} on the real kernel. */
public final class JnaLinuxSyscalls implements LinuxSyscalls {

	public static final JnaLinuxSyscalls INSTANCE = new JnaLinuxSyscalls();

	private static final int O_RDONLY = 0;

	private static final int O_CLOEXEC = 0x80000;

	private JnaLinuxSyscalls() {
	}

	@Override
	public void mount(String source, String target, String type, long flags, String data) {
		try {
			LibC.mount(source, target, type, flags, (data == null || data.isEmpty()) ? null : data);
		}
		catch (LastErrorException ex) {
			String what = (type != null && !type.isEmpty()) ? type : String.valueOf(source);
			throw new SyscallException("mount", what + " on " + target, ex.getErrorCode());
		}
	}

	@Override
	public void umount(String target, int flags) {
		try {
			LibC.umount2(target, flags);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("umount", target, ex.getErrorCode());
		}
	}

	@Override
	public void pivotRoot(String newRoot, String putOld) {
		try {
			LibC.syscall(Syscalls.PIVOT_ROOT, newRoot, putOld);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("pivot_root", newRoot, ex.getErrorCode());
		}
	}

	@Override
	public void chdir(String path) {
		try {
			LibC.chdir(path);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("chdir", path, ex.getErrorCode());
		}
	}

	@Override
	public void mknod(String path, int mode, long device) {
		try {
			LibC.mknod(path, mode, device);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("mknod", path, ex.getErrorCode());
		}
	}

	@Override
	public void lchown(String path, long uid, long gid) {
		try {
			LibC.lchown(path, (int) uid, (int) gid);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("lchown", path, ex.getErrorCode());
		}
	}

	@Override
	public void sethostname(String name) {
		byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
		try {
			LibC.sethostname(bytes, bytes.length);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("sethostname", name, ex.getErrorCode());
		}
	}

	@Override
	public void unshare(int flags) {
		try {
			LibC.unshare(flags);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("unshare", "0x" + Integer.toHexString(flags), ex.getErrorCode());
		}
	}

	@Override
	public void setns(String path, int type) {
		int fd;
		try {
			fd = LibC.open(path, O_RDONLY | O_CLOEXEC, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("open", path, ex.getErrorCode());
		}
		try {
			LibC.setns(fd, type);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("setns", path, ex.getErrorCode());
		}
		finally {
			LibC.close(fd);
		}
	}

}
