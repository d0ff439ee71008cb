package dev.berth.runtime.shim.io;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import com.sun.jna.Memory;

import dev.berth.runtime.linux.Epoll;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.SyscallException;

/**
 * A container's stdin, written without a thread of its own: callers queue bytes from any thread
 * and the {@link IoLoop} drains the queue whenever the descriptor can take more. The queue is
 * bounded, so a container that does not read its stdin slows the writer down rather than
 * growing the shim; callers are virtual threads, for which waiting is cheap.
 *
 * <p>The descriptor is in epoll all along, with {@code EPOLLOUT} only while bytes are queued:
 * idle, only an error or hang-up (the container's end has closed) is reported, which fails the
 * writer and releases the descriptor at once.
 *
 * <p>Everything that touches the descriptor holds {@link #lock}, so it is never used after close.
 */
public final class StdinWriter implements AutoCloseable {

	/** Bytes a writer queues before {@link #write} waits. */
	public static final int DEFAULT_LIMIT = 1024 * 1024;

	private static final int EPIPE = 32;

	private final IoLoop loop;

	private final int originalFd;

	private final int limit;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition drained = this.lock.newCondition();

	private final ArrayDeque<byte[]> queue = new ArrayDeque<>(4);

	/** Set once on the loop thread before the writer is handed out (so seen by every caller). */
	long token;

	private int fd;

	private int headOffset;

	private int queued;

	private boolean armed;

	private boolean closing;

	private boolean loopClosed;

	private int failure;

	StdinWriter(IoLoop loop, int fd, int limit) {
		this.loop = loop;
		this.fd = fd;
		this.originalFd = fd;
		this.limit = limit;
	}

	/** Queues all of {@code data}; see {@link #write(byte[], int, int)}. */
	public void write(byte[] data) throws InterruptedException {
		write(data, 0, data.length);
	}

	/**
	 * Queues {@code data[offset..offset+length)} (copied), waiting while the queue is full.
	 * Throws {@link SyscallException} with EPIPE (or the error the loop met) once the container's
	 * end is gone, and {@link IllegalStateException} after {@link #close()} or the loop's close,
	 * or when called on the loop thread with the queue full.
	 */
	public void write(byte[] data, int offset, int length) throws InterruptedException {
		Objects.checkFromIndexSize(offset, length, data.length);
		this.lock.lockInterruptibly();
		try {
			while (length > 0) {
				checkWritable();
				int space = this.limit - this.queued;
				if (space <= 0) {
					if (this.loop.inLoop()) {
						// only the loop drains the queue: waiting here would wait forever
						throw new IllegalStateException("stdin fd " + this.originalFd + " is full; the I/O loop must not wait");
					}
					this.drained.await();
					continue;
				}
				int chunk = Math.min(space, length);
				this.queue.add(Arrays.copyOfRange(data, offset, offset + chunk));
				this.queued += chunk;
				offset += chunk;
				length -= chunk;
				if (!this.armed) {
					// epoll_ctl is safe from any thread; the lock keeps the descriptor open meanwhile
					this.loop.epoll().modify(this.fd, Epoll.EPOLLOUT, this.token);
					this.armed = true;
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Closes the descriptor once everything queued has been written, which is how the container
	 * sees end of file on stdin. Returns at once; further writes fail.
	 */
	@Override
	public void close() {
		this.lock.lock();
		try {
			if (this.closing || this.fd < 0) {
				return;
			}
			this.closing = true;
			if (this.queued == 0) {
				closeDescriptor();
				releaseSlot();
			}
			// a writer waiting for room must not wait for a drain that no longer takes its bytes
			this.drained.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Bytes queued and not yet written. */
	public int pending() {
		this.lock.lock();
		try {
			return this.queued;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** True until the descriptor is closed (drained after close, failed, or the loop closed). */
	public boolean isOpen() {
		this.lock.lock();
		try {
			return this.fd >= 0;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The descriptor can take more, or has failed: write what is queued. Loop thread only. */
	void writeReady(int events) {
		this.lock.lock();
		try {
			if (this.fd < 0) {
				return;
			}
			boolean hangUp = (events & (Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0;
			int written;
			try {
				written = drain();
			}
			catch (SyscallException ex) {
				fail(ex.errno());
				return;
			}
			if (written > 0) {
				this.drained.signalAll();
			}
			if (this.queued == 0) {
				if (this.closing) {
					closeDescriptor();
					releaseSlot();
				}
				else if (hangUp) {
					fail(EPIPE);
				}
				else if (this.armed) {
					// nothing left: stop asking for EPOLLOUT, which would be reported on every turn
					this.loop.epoll().modify(this.fd, 0, this.token);
					this.armed = false;
				}
			}
			else if (hangUp && written == 0) {
				// reported again on every turn while nothing can move
				fail(EPIPE);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The loop is closing: let go of the descriptor and whoever waits. Loop thread only. */
	void loopClosed() {
		this.lock.lock();
		try {
			this.loopClosed = true;
			this.queue.clear();
			this.queued = 0;
			if (this.fd >= 0) {
				closeDescriptor();
			}
			this.drained.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Writes as much of the queue as the descriptor takes now; returns the byte count. */
	private int drain() {
		Memory buffer = this.loop.writeMemory();
		int total = 0;
		while (this.queued > 0) {
			int gathered = 0;
			int skip = this.headOffset;
			for (byte[] chunk : this.queue) {
				int count = Math.min(chunk.length - skip, IoLoop.WRITE_SIZE - gathered);
				buffer.write(gathered, chunk, skip, count);
				gathered += count;
				skip = 0;
				if (gathered == IoLoop.WRITE_SIZE) {
					break;
				}
			}
			int written = Epoll.write(this.fd, buffer, gathered);
			if (written <= 0) {
				break;
			}
			consume(written);
			total += written;
			if (written < gathered) {
				break;
			}
		}
		return total;
	}

	private void consume(int count) {
		this.queued -= count;
		while (count > 0) {
			byte[] head = this.queue.peek();
			int available = head.length - this.headOffset;
			if (count >= available) {
				this.queue.poll();
				this.headOffset = 0;
				count -= available;
			}
			else {
				this.headOffset += count;
				count = 0;
			}
		}
	}

	private void fail(int errno) {
		this.failure = errno;
		this.queue.clear();
		this.queued = 0;
		closeDescriptor();
		releaseSlot();
		this.drained.signalAll();
	}

	private void checkWritable() {
		if (this.failure != 0) {
			throw new SyscallException("write", "stdin fd " + this.originalFd, this.failure);
		}
		if (this.closing) {
			throw new IllegalStateException("stdin fd " + this.originalFd + " is closed");
		}
		if (this.loopClosed || this.fd < 0) {
			throw new IllegalStateException("I/O loop for stdin fd " + this.originalFd + " is closed");
		}
	}

	private void closeDescriptor() {
		try {
			// before close, so no event of this file outlives the number
			this.loop.epoll().remove(this.fd);
		}
		catch (SyscallException ex) {
			// not in the interest list any more; closing is what matters
		}
		Kernel.close(this.fd);
		this.fd = -1;
		this.armed = false;
	}

	private void releaseSlot() {
		if (this.loop.inLoop()) {
			this.loop.release(this, this.token);
			return;
		}
		try {
			this.loop.execute(() -> this.loop.release(this, this.token));
		}
		catch (RejectedExecutionException ex) {
			// the loop is closing and drops its whole table
		}
	}

	@Override
	public String toString() {
		return "stdin fd " + this.originalFd;
	}

}
