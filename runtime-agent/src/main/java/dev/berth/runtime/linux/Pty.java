package dev.berth.runtime.linux;

import com.sun.jna.Memory;

/** Pseudo-terminal calls: a master from a devpts instance's ptmx, its peer, window size. */
public final class Pty {

	private static final long TIOCSPTLCK = 0x40045431L;

	private static final long TIOCGPTPEER = 0x5441L;

	private static final long TIOCSWINSZ = 0x5414L;

	private static final long TIOCGWINSZ = 0x5413L;

	private static final long TIOCSCTTY = 0x540EL;

	private Pty() {
	}

	/** Opens a new master on the devpts instance behind {@code ptmx} and unlocks its peer. */
	public static int openMaster(String ptmx) {
		int master = Kernel.open(ptmx, Kernel.O_RDWR | Kernel.O_NOCTTY | Kernel.O_CLOEXEC, 0);
		Memory unlock = new Memory(4);
		unlock.setInt(0, 0);
		Kernel.ioctl(master, TIOCSPTLCK, unlock, "TIOCSPTLCK " + ptmx);
		return master;
	}

	/** Opens the terminal end of {@code master} without a path lookup (TIOCGPTPEER, Linux 4.13). */
	public static int openPeer(int master) {
		return Kernel.ioctl(master, TIOCGPTPEER, Kernel.O_RDWR | Kernel.O_NOCTTY, "TIOCGPTPEER");
	}

	public static void setSize(int fd, int rows, int columns) {
		Memory size = new Memory(8);
		size.clear();
		size.setShort(0, (short) rows);
		size.setShort(2, (short) columns);
		Kernel.ioctl(fd, TIOCSWINSZ, size, "TIOCSWINSZ");
	}

	/** {rows, columns} of the terminal on {@code fd}. */
	public static int[] size(int fd) {
		Memory size = new Memory(8);
		Kernel.ioctl(fd, TIOCGWINSZ, size, "TIOCGWINSZ");
		return new int[] { Short.toUnsignedInt(size.getShort(0)), Short.toUnsignedInt(size.getShort(2)) };
	}

	/** Makes {@code fd} the controlling terminal of this session (the caller leads a new session). */
	public static void makeControlling(int fd) {
		Kernel.ioctl(fd, TIOCSCTTY, 0L, "TIOCSCTTY");
	}

}
