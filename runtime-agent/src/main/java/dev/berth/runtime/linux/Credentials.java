package dev.berth.runtime.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * User, groups and capabilities of the calling thread. Every call here changes only this thread
 * (raw syscalls, not glibc's all-threads wrappers); {@code execve} carries the result into the
 * workload and ends the JVM's other threads.
 */
public final class Credentials {

	private static final int PR_CAPBSET_DROP = 24;

	private static final int PR_CAP_AMBIENT = 47;

	private static final int PR_CAP_AMBIENT_RAISE = 2;

	private static final int PR_CAP_AMBIENT_CLEAR_ALL = 4;

	private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;

	private Credentials() {
	}

	/** The highest capability this kernel knows. */
	public static int lastCapability() {
		try {
			// one buffered read: a sysctl answers a read at a non-zero offset with end-of-file
			return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).get(0).trim());
		}
		catch (Exception ex) {
			return Capability.all().size() - 1;
		}
	}

	/** Drops from the bounding set every capability not in {@code keep}; needs CAP_SETPCAP. */
	public static void limitBoundingSet(long keep, int lastCapability) {
		for (int cap = 0; cap <= lastCapability; cap++) {
			if ((keep & (1L << cap)) == 0) {
				try {
					LibC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
				}
				catch (LastErrorException ex) {
					throw new SyscallException("prctl(PR_CAPBSET_DROP)", capabilityName(cap), ex.getErrorCode());
				}
			}
		}
	}

	/** Switches to uid/gid/groups, keeping the permitted capabilities for {@link #setCapabilities}. */
	public static void switchUser(long uid, long gid, List<Long> groups) {
		Kernel.prctl(Kernel.PR_SET_KEEPCAPS, 1);
		Memory list = new Memory(Math.max(4, groups.size() * 4L));
		for (int i = 0; i < groups.size(); i++) {
			list.setInt(i * 4L, groups.get(i).intValue());
		}
		try {
			LibC.syscall(Syscalls.SETGROUPS, groups.size(), list);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("setgroups", groups.toString(), ex.getErrorCode());
		}
		try {
			LibC.syscall(Syscalls.SETRESGID, gid, gid, gid, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("setresgid", Long.toString(gid), ex.getErrorCode());
		}
		try {
			LibC.syscall(Syscalls.SETRESUID, uid, uid, uid, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("setresuid", Long.toString(uid), ex.getErrorCode());
		}
		Kernel.prctl(Kernel.PR_SET_KEEPCAPS, 0);
	}

	/** Sets the effective, permitted and inheritable sets, then raises the ambient ones. */
	public static void setCapabilities(long effective, long permitted, long inheritable, long ambient,
			int lastCapability) {
		Memory header = new Memory(8);
		header.setInt(0, LINUX_CAPABILITY_VERSION_3);
		header.setInt(4, 0);
		Memory data = new Memory(24);
		data.setInt(0, (int) effective);
		data.setInt(4, (int) permitted);
		data.setInt(8, (int) inheritable);
		data.setInt(12, (int) (effective >>> 32));
		data.setInt(16, (int) (permitted >>> 32));
		data.setInt(20, (int) (inheritable >>> 32));
		try {
			LibC.capset(header, data);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("capset", null, ex.getErrorCode());
		}
		try {
			LibC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", null, ex.getErrorCode());
		}
		// the kernel only raises an ambient capability that is permitted and inheritable; runc skips
		// the others (its own default spec asks for ambient ones it leaves out of inheritable)
		long raisable = ambient & permitted & inheritable;
		for (int cap = 0; cap <= lastCapability; cap++) {
			if ((raisable & (1L << cap)) != 0) {
				try {
					LibC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
				}
				catch (LastErrorException ex) {
					throw new SyscallException("prctl(PR_CAP_AMBIENT_RAISE)", capabilityName(cap), ex.getErrorCode());
				}
			}
		}
	}

	private static String capabilityName(int cap) {
		return (cap < Capability.all().size()) ? Capability.all().get(cap) : "capability " + cap;
	}

}
