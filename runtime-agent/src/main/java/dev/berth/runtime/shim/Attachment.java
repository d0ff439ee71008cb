package dev.berth.runtime.shim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A client attached to a process's output. The I/O thread must never block on a slow client, so
 * frames queue here and a virtual thread writes them; a client that falls more than
 * {@link #MAX_QUEUED} bytes behind is disconnected rather than allowed to grow the shim.
 */
final class Attachment {

	static final int MAX_QUEUED = 4 << 20;

	private final SocketChannel channel;

	private final boolean stdout;

	private final boolean stderr;

	private final Deque<ByteBuffer> queue = new ArrayDeque<>();

	private int queued;

	private boolean finished;

	private boolean closed;

	/**
	 * {@code greeting} goes out before any frame: the shim's answer to the attach request, queued
	 * before the attachment joins its task, so a client that reads it knows that every byte the
	 * process writes from then on reaches it.
	 */
	Attachment(SocketChannel channel, boolean stdout, boolean stderr, ByteBuffer greeting) {
		this.channel = channel;
		this.stdout = stdout;
		this.stderr = stderr;
		enqueue(greeting);
		Thread.ofVirtual().name("berth-attach").start(this::drain);
	}

	void send(int stream, byte[] data, int length) {
		if ((stream == ShimWire.STDOUT && !this.stdout) || (stream == ShimWire.STDERR && !this.stderr)) {
			return;
		}
		enqueue(ShimWire.frame(stream, data, 0, length));
	}

	void finish(ExitStatus status) {
		byte[] code = Integer.toString(status.code()).getBytes(StandardCharsets.US_ASCII);
		synchronized (this) {
			if (this.finished) {
				return;
			}
			this.finished = true;
		}
		enqueue(ShimWire.frame(ShimWire.EXIT, code, 0, code.length));
	}

	private synchronized void enqueue(ByteBuffer frame) {
		if (this.closed) {
			return;
		}
		if (this.queued + frame.remaining() > MAX_QUEUED) {
			close();
			return;
		}
		this.queue.addLast(frame);
		this.queued += frame.remaining();
		notifyAll();
	}

	private void drain() {
		try {
			while (true) {
				ByteBuffer next;
				synchronized (this) {
					while (this.queue.isEmpty() && !this.closed && !this.finished) {
						wait();
					}
					if (this.closed || (this.queue.isEmpty() && this.finished)) {
						break;
					}
					next = this.queue.pollFirst();
					this.queued -= next.remaining();
				}
				ShimWire.writeFully(this.channel, next);
			}
		}
		catch (IOException | InterruptedException ex) {
			// the client went away
		}
		finally {
			close();
		}
	}

	synchronized void close() {
		this.closed = true;
		this.queue.clear();
		notifyAll();
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	/** Blocks until the last frame is written or the client is gone. */
	synchronized void awaitClosed() {
		while (!this.closed) {
			try {
				wait();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

}
