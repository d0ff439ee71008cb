package dev.berth.runtime.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * An epoll instance with its own eventfd, so one thread can wait on every container's stdio and
 * be woken by the others. Level-triggered: a descriptor that still has data is reported again,
 * which lets a loop read a bounded amount per turn and stay fair.
 *
 * <p>{@link #await(int)} fills two preallocated arrays, so waiting allocates nothing. It is meant
 * for one thread; {@link #add}, {@link #modify}, {@link #remove} and {@link #wakeup} may be
 * called from any thread (the kernel serializes {@code epoll_ctl}), but the owner must not let
 * them race with {@link #close()} or with the close of the descriptor they name, since a closed
 * number may already belong to someone else.
 *
 * <p>Also holds the few descriptor calls such a loop needs (non-blocking mode, reads and writes
 * into native memory), so {@link Kernel} stays as it is.
 */
public final class Epoll implements AutoCloseable {

	public static final int EPOLLIN = 0x001;

	public static final int EPOLLOUT = 0x004;

	public static final int EPOLLERR = 0x008;

	public static final int EPOLLHUP = 0x010;

	public static final int EPOLLRDHUP = 0x2000;

	/** The token of the wake-up eventfd; never reported to callers, so they may not use it. */
	public static final long WAKEUP_TOKEN = Long.MIN_VALUE;

	private static final int EPOLL_CLOEXEC = 0x80000;

	private static final int EPOLL_CTL_ADD = 1;

	private static final int EPOLL_CTL_DEL = 2;

	private static final int EPOLL_CTL_MOD = 3;

	private static final int EFD_NONBLOCK = 0x800;

	private static final int EFD_CLOEXEC = 0x80000;

	private static final int F_DUPFD_CLOEXEC = 1030;

	private static final int F_GETFL = 3;

	private static final int F_SETFL = 4;

	/** {@code struct epoll_event} is packed on x86 (12 bytes), naturally aligned elsewhere (16). */
	private static final int EVENT_SIZE = Platform.isIntel() ? 12 : 16;

	private static final int DATA_OFFSET = Platform.isIntel() ? 4 : 8;

	private static final byte[] ONE = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 1L).array();

	private final int fd;

	private final int wakeFd;

	private final Memory events;

	private final ByteBuffer eventView;

	private final int capacity;

	private final long[] readyTokens;

	private final int[] readyEvents;

	private final Memory counter = new Memory(8);

	private final Object closeLock = new Object();

	private boolean closed;

	private Epoll(int fd, int wakeFd, int capacity) {
		this.fd = fd;
		this.wakeFd = wakeFd;
		this.capacity = capacity;
		this.events = new Memory((long) capacity * EVENT_SIZE);
		this.eventView = this.events.getByteBuffer(0, this.events.size()).order(ByteOrder.nativeOrder());
		this.readyTokens = new long[capacity];
		this.readyEvents = new int[capacity];
	}

	/** A new epoll instance reporting at most {@code maxEvents} descriptors per {@link #await}. */
	public static Epoll open(int maxEvents) {
		if (maxEvents < 1) {
			throw new IllegalArgumentException("maxEvents must be at least 1");
		}
		int epollFd;
		try {
			// close-on-exec: containers started by the shim must not inherit the loop's instance
			epollFd = LibC.epoll_create1(EPOLL_CLOEXEC);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("epoll_create1", null, ex.getErrorCode());
		}
		int wakeFd;
		try {
			// a counter other threads bump to end a wait; non-blocking so draining never stalls
			wakeFd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		}
		catch (LastErrorException ex) {
			Kernel.close(epollFd);
			throw new SyscallException("eventfd", null, ex.getErrorCode());
		}
		Epoll epoll = new Epoll(epollFd, wakeFd, maxEvents);
		try {
			epoll.control(EPOLL_CTL_ADD, wakeFd, EPOLLIN, WAKEUP_TOKEN, "epoll_ctl add eventfd");
		}
		catch (SyscallException ex) {
			Kernel.close(wakeFd);
			Kernel.close(epollFd);
			throw ex;
		}
		return epoll;
	}

	/** Starts watching {@code fd} for {@code events}; {@code token} comes back with each report. */
	public void add(int fd, int events, long token) {
		checkToken(token);
		control(EPOLL_CTL_ADD, fd, events, token, "epoll_ctl add");
	}

	/** Replaces the interest set and token of a watched descriptor. */
	public void modify(int fd, int events, long token) {
		checkToken(token);
		control(EPOLL_CTL_MOD, fd, events, token, "epoll_ctl mod");
	}

	/**
	 * Stops watching {@code fd}. Must come before the descriptor is closed if it may have been
	 * duplicated: the kernel drops a registration only when the last reference to the file goes.
	 */
	public void remove(int fd) {
		try {
			// a null event is accepted for removal since Linux 2.6.9
			LibC.epoll_ctl(this.fd, EPOLL_CTL_DEL, fd, null);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("epoll_ctl del", "fd " + fd, ex.getErrorCode());
		}
	}

	/**
	 * Waits up to {@code timeoutMillis} (-1: forever, 0: poll) and returns how many descriptors
	 * are ready; read them with {@link #token(int)} and {@link #events(int)} until the next call.
	 * Returns 0 when woken by {@link #wakeup()}, by a signal, or on timeout.
	 */
	public int await(int timeoutMillis) {
		int count;
		try {
			// the one blocking call of the loop: sleeps until a descriptor is ready or we are woken
			count = LibC.epoll_wait(this.fd, this.events, this.capacity, timeoutMillis);
		}
		catch (LastErrorException ex) {
			if (ex.getErrorCode() == Errno.EINTR) {
				return 0;
			}
			throw new SyscallException("epoll_wait", "fd " + this.fd, ex.getErrorCode());
		}
		int ready = 0;
		for (int i = 0; i < count; i++) {
			int offset = i * EVENT_SIZE;
			long token = this.eventView.getLong(offset + DATA_OFFSET);
			if (token == WAKEUP_TOKEN) {
				drainWakeups();
				continue;
			}
			this.readyTokens[ready] = token;
			this.readyEvents[ready] = this.eventView.getInt(offset);
			ready++;
		}
		return ready;
	}

	/** The token of the {@code index}th descriptor reported by the last {@link #await}. */
	public long token(int index) {
		return this.readyTokens[index];
	}

	/** The {@code EPOLL*} bits of the {@code index}th descriptor reported by the last {@link #await}. */
	public int events(int index) {
		return this.readyEvents[index];
	}

	/** Ends the current or next {@link #await} early; callable from any thread, cheap to repeat. */
	public void wakeup() {
		synchronized (this.closeLock) {
			if (this.closed) {
				return;
			}
			try {
				// adding to the eventfd counter makes it readable, which ends epoll_wait
				LibC.write(this.wakeFd, ONE, 8);
			}
			catch (LastErrorException ex) {
				// EAGAIN: the counter is saturated, so a wake-up is already pending
				if (ex.getErrorCode() != Errno.EAGAIN) {
					throw new SyscallException("write", "eventfd " + this.wakeFd, ex.getErrorCode());
				}
			}
		}
	}

	@Override
	public void close() {
		synchronized (this.closeLock) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			Kernel.close(this.wakeFd);
			Kernel.close(this.fd);
		}
	}

	private void drainWakeups() {
		try {
			// reading resets the counter to zero, so the eventfd stops being reported
			LibC.read(this.wakeFd, this.counter, 8);
		}
		catch (LastErrorException ex) {
			// EAGAIN: another wait already drained it
		}
	}

	private void control(int operation, int fd, int events, long token, String what) {
		ByteBuffer event = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
		event.putInt(0, events);
		event.putLong(DATA_OFFSET, token);
		try {
			// registers or changes interest; the kernel copies the struct, so a heap copy is enough
			LibC.epoll_ctl(this.fd, operation, fd, event.array());
		}
		catch (LastErrorException ex) {
			throw new SyscallException(what, "fd " + fd, ex.getErrorCode());
		}
	}

	private static void checkToken(long token) {
		if (token == WAKEUP_TOKEN) {
			throw new IllegalArgumentException("token " + token + " is reserved for wake-ups");
		}
	}

	/** Sets O_NONBLOCK, so reads and writes return EAGAIN instead of stalling the loop. */
	public static void setNonBlocking(int fd) {
		try {
			// the status flags are shared by every duplicate of the descriptor
			int flags = LibC.fcntl(fd, F_GETFL, 0);
			if ((flags & Kernel.O_NONBLOCK) == 0) {
				LibC.fcntl(fd, F_SETFL, flags | Kernel.O_NONBLOCK);
			}
		}
		catch (LastErrorException ex) {
			throw new SyscallException("fcntl O_NONBLOCK", "fd " + fd, ex.getErrorCode());
		}
	}

	/**
	 * A close-on-exec duplicate of {@code fd}: epoll takes a file once per descriptor number, so
	 * a terminal master that is both read and written needs a second number for its writer.
	 */
	public static int duplicate(int fd) {
		try {
			// F_DUPFD_CLOEXEC: the duplicate must not leak into containers either
			return LibC.fcntl(fd, F_DUPFD_CLOEXEC, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("fcntl F_DUPFD_CLOEXEC", "fd " + fd, ex.getErrorCode());
		}
	}

	/**
	 * One read into native memory: the count, 0 at end of file, or -1 when a non-blocking
	 * descriptor has nothing now. Other errors (a terminal master's EIO) are thrown.
	 */
	public static int read(int fd, Pointer buffer, int count) {
		while (true) {
			try {
				// native memory: no JNA array copy of the whole buffer on every call
				return (int) LibC.read(fd, buffer, count);
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() == Errno.EAGAIN) {
					return -1;
				}
				if (ex.getErrorCode() != Errno.EINTR) {
					throw new SyscallException("read", "fd " + fd, ex.getErrorCode());
				}
			}
		}
	}

	/** One write from native memory: the count written, or -1 when the descriptor is full now. */
	public static int write(int fd, Pointer buffer, int count) {
		while (true) {
			try {
				// may write less than asked on a pipe or terminal; the caller keeps the rest
				return (int) LibC.write(fd, buffer, count);
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() == Errno.EAGAIN) {
					return -1;
				}
				if (ex.getErrorCode() != Errno.EINTR) {
					throw new SyscallException("write", "fd " + fd, ex.getErrorCode());
				}
			}
		}
	}

}
