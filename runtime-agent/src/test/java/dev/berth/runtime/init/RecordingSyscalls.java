package dev.berth.runtime.init;

import java.util.ArrayList;
import java.util.List;

import dev.berth.runtime.linux.LinuxSyscalls;

/** A {@link LinuxSyscalls} that records every call instead of making it: rootfs logic without root. */
final class RecordingSyscalls implements LinuxSyscalls {

	final List<String> calls = new ArrayList<>();

	@Override
	public void mount(String source, String target, String type, long flags, String data) {
		this.calls.add("mount " + source + " " + target + " " + type + " 0x" + Long.toHexString(flags)
				+ ((data != null && !data.isEmpty()) ? " " + data : ""));
	}

	@Override
	public void umount(String target, int flags) {
		this.calls.add("umount " + target + " " + flags);
	}

	@Override
	public void pivotRoot(String newRoot, String putOld) {
		this.calls.add("pivot_root " + newRoot + " " + putOld);
	}

	@Override
	public void chdir(String path) {
		this.calls.add("chdir " + path);
	}

	@Override
	public void mknod(String path, int mode, long device) {
		this.calls.add("mknod " + path + " 0" + Integer.toOctalString(mode) + " " + device);
	}

	@Override
	public void lchown(String path, long uid, long gid) {
		this.calls.add("lchown " + path + " " + uid + ":" + gid);
	}

	@Override
	public void sethostname(String name) {
		this.calls.add("sethostname " + name);
	}

	@Override
	public void unshare(int flags) {
		this.calls.add("unshare 0x" + Integer.toHexString(flags));
	}

	@Override
	public void setns(String path, int type) {
		this.calls.add("setns " + path);
	}

	List<String> matching(String prefix) {
		return this.calls.stream().filter((c) -> c.startsWith(prefix)).toList();
	}

}
