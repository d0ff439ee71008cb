package dev.berth.runtime.shim.io;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import com.sun.jna.Memory;

import dev.berth.runtime.linux.Epoll;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.SyscallException;

/**
 * The shim's one I/O thread: a level-triggered epoll loop that reads every container's stdout
 * and stderr (pipes or terminal masters) and drains every container's stdin, so the cost of a
 * running container is a few small objects rather than a thread per stream.
 *
 * <p>Each readable descriptor gets at most {@value #READS_PER_TURN} reads of
 * {@value #READ_SIZE} bytes per turn, into one buffer shared by all, so a chatty container
 * cannot starve the others and reading allocates nothing.
 *
 * <p>{@link #watchOutput}, {@link #writer} and {@link #execute} may be called from any thread;
 * work for the loop is queued and the loop is woken through its epoll instance's eventfd.
 * Sinks run on the loop thread and must not block.
 */
public final class IoLoop implements Executor, AutoCloseable {

	static final int READ_SIZE = 32 * 1024;

	static final int READS_PER_TURN = 4;

	/** Gather size for stdin writes: a pipe's default capacity. */
	static final int WRITE_SIZE = 64 * 1024;

	private static final int EIO = 5;

	private static final int MAX_EVENTS = 256;

	private static final System.Logger logger = System.getLogger(IoLoop.class.getName());

	private final Epoll epoll;

	private final Thread thread;

	private final Memory readMemory = new Memory(READ_SIZE);

	private final byte[] readBuffer = new byte[READ_SIZE];

	private final Memory writeMemory = new Memory(WRITE_SIZE);

	private final ReentrantLock taskLock = new ReentrantLock();

	private ArrayDeque<Runnable> tasks = new ArrayDeque<>();

	private ArrayDeque<Runnable> runningTasks = new ArrayDeque<>();

	private boolean wakePending;

	private boolean stopping;

	// the handler table and everything below it belong to the loop thread

	private Object[] handlers = new Object[64];

	private int[] freeSlots = new int[64];

	private int freeCount;

	private int nextSlot;

	private int live;

	private int serial;

	private boolean closing;

	private IoLoop(Epoll epoll, String name) {
		this.epoll = epoll;
		this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
	}

	/** Starts a loop on a new platform thread named {@code berth-io}. */
	public static IoLoop start() {
		return start("berth-io");
	}

	/** Starts a loop on a new platform thread with the given name. */
	public static IoLoop start(String threadName) {
		IoLoop loop = new IoLoop(Epoll.open(MAX_EVENTS), threadName);
		loop.thread.start();
		return loop;
	}

	/**
	 * Reads {@code fd} (a pipe's read end or a terminal master) until it ends, handing every chunk
	 * to {@code sink} on the loop thread. The loop owns the descriptor from here on: it makes it
	 * non-blocking and closes it when the stream ends. If this throws, the caller still owns it.
	 *
	 * <p>A terminal master reports a hang-up while no peer is open, so register it only once the
	 * peer has been opened (the shim keeps its copy until the container holds one).
	 */
	public Registration watchOutput(int fd, OutputSink sink) {
		if (sink == null) {
			throw new IllegalArgumentException("sink is required");
		}
		Epoll.setNonBlocking(fd);
		OutputWatch watch = new OutputWatch(this, fd, sink);
		return call(() -> {
			watch.token = register(watch, fd, Epoll.EPOLLIN);
			return watch;
		});
	}

	/** A writer for {@code fd} (a pipe's write end) with the default 1 MiB queue. */
	public StdinWriter writer(int fd) {
		return writer(fd, StdinWriter.DEFAULT_LIMIT);
	}

	/**
	 * A writer for {@code fd}: a pipe's write end, or a {@link Epoll#duplicate duplicate} of a
	 * terminal master whose original is watched for output (epoll takes a descriptor number once).
	 * Writes queue up to {@code limit} bytes; the loop owns and eventually closes the descriptor.
	 */
	public StdinWriter writer(int fd, int limit) {
		if (limit < 1) {
			throw new IllegalArgumentException("limit must be at least 1");
		}
		Epoll.setNonBlocking(fd);
		StdinWriter writer = new StdinWriter(this, fd, limit);
		return call(() -> {
			// no interest yet: only an error or hang-up (the reader has gone) is reported
			writer.token = register(writer, fd, 0);
			return writer;
		});
	}

	/** Runs {@code task} on the loop thread after the current turn, even when called from it. */
	@Override
	public void execute(Runnable task) {
		boolean wake = false;
		this.taskLock.lock();
		try {
			if (this.stopping) {
				throw new RejectedExecutionException("I/O loop " + this.thread.getName() + " is closed");
			}
			this.tasks.add(task);
			if (!this.wakePending) {
				this.wakePending = true;
				wake = true;
			}
		}
		finally {
			this.taskLock.unlock();
		}
		if (wake) {
			this.epoll.wakeup();
		}
	}

	/** True on the loop's own thread, where sinks run and nothing may block. */
	public boolean inLoop() {
		return Thread.currentThread() == this.thread;
	}

	/**
	 * Ends every stream ({@link OutputSink#onEnd()} for each), closes every descriptor the loop
	 * owns without draining stdin queues, and stops the thread; waits for it unless called on it.
	 */
	@Override
	public void close() {
		boolean wake = false;
		this.taskLock.lock();
		try {
			if (!this.stopping) {
				this.stopping = true;
				wake = true;
			}
		}
		finally {
			this.taskLock.unlock();
		}
		if (wake) {
			this.epoll.wakeup();
		}
		if (!inLoop()) {
			boolean interrupted = false;
			while (this.thread.isAlive()) {
				try {
					this.thread.join();
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** How many descriptors the loop holds; for tests and metrics. */
	int registrations() {
		return call(() -> this.live);
	}

	Epoll epoll() {
		return this.epoll;
	}

	Memory writeMemory() {
		return this.writeMemory;
	}

	/** Runs {@code action} on the loop thread and returns its result to the calling thread. */
	<T> T call(Supplier<T> action) {
		if (inLoop()) {
			return action.get();
		}
		CompletableFuture<T> result = new CompletableFuture<>();
		execute(() -> {
			try {
				result.complete(action.get());
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		try {
			return result.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			if (ex.getCause() instanceof Error cause) {
				throw cause;
			}
			throw ex;
		}
	}

	private void run() {
		try {
			boolean running = true;
			while (running) {
				int ready = this.epoll.await(-1);
				for (int i = 0; i < ready; i++) {
					dispatch(this.epoll.token(i), this.epoll.events(i));
				}
				running = runTasks();
			}
		}
		catch (Throwable ex) {
			logger.log(Level.ERROR, "I/O loop " + this.thread.getName() + " failed; ending every stream", ex);
		}
		finally {
			shutdown();
		}
	}

	private void dispatch(long token, int events) {
		int slot = (int) token;
		Object handler = (slot < this.handlers.length) ? this.handlers[slot] : null;
		try {
			// a handler that ended earlier in this turn leaves a stale event behind; the token tells
			if (handler instanceof OutputWatch watch && watch.token == token) {
				readReady(watch, events);
			}
			else if (handler instanceof StdinWriter writer && writer.token == token) {
				writer.writeReady(events);
			}
		}
		catch (RuntimeException ex) {
			// one broken descriptor must not stop the loop every other container depends on
			logger.log(Level.ERROR, "I/O loop: handling " + handler + " failed", ex);
		}
	}

	private void readReady(OutputWatch watch, int events) {
		for (int turn = 0; turn < READS_PER_TURN; turn++) {
			int count;
			try {
				count = Epoll.read(watch.fd, this.readMemory, READ_SIZE);
			}
			catch (SyscallException ex) {
				// EIO: the last peer of a terminal master closed, the terminal's end of file
				if (ex.errno() != EIO) {
					logger.log(Level.WARNING, "ending output on fd " + watch.fd, ex);
				}
				end(watch);
				return;
			}
			if (count == 0) {
				end(watch);
				return;
			}
			if (count < 0) {
				// a hang-up with nothing to read would be reported again forever
				if (turn == 0 && (events & (Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0) {
					end(watch);
				}
				return;
			}
			this.readMemory.read(0, this.readBuffer, 0, count);
			try {
				watch.sink.onData(this.readBuffer, count);
			}
			catch (Throwable ex) {
				logger.log(Level.WARNING, "output sink for fd " + watch.fd + " failed", ex);
			}
			if (watch.ended || count < READ_SIZE) {
				return;
			}
		}
	}

	/** Ends a watch once: deregisters, closes, then tells the sink. Loop thread only. */
	void end(OutputWatch watch) {
		if (watch.ended) {
			return;
		}
		watch.ended = true;
		release(watch, watch.token);
		try {
			// before close: a duplicate elsewhere would keep the registration alive
			this.epoll.remove(watch.fd);
		}
		catch (SyscallException ex) {
			// already gone from the interest list; closing is what matters
		}
		Kernel.close(watch.fd);
		try {
			watch.sink.onEnd();
		}
		catch (Throwable ex) {
			logger.log(Level.WARNING, "output sink for fd " + watch.fd + " failed at end", ex);
		}
	}

	/** Gives {@code handler} a slot and a token and adds {@code fd} to epoll. Loop thread only. */
	private long register(Object handler, int fd, int events) {
		if (this.closing) {
			throw new IllegalStateException("I/O loop " + this.thread.getName() + " is closed");
		}
		int slot;
		if (this.freeCount > 0) {
			slot = this.freeSlots[--this.freeCount];
		}
		else {
			slot = this.nextSlot++;
			if (slot == this.handlers.length) {
				this.handlers = Arrays.copyOf(this.handlers, slot * 2);
			}
		}
		// a serial in the high half: a reused slot never matches a stale event of its last owner
		this.serial = (this.serial + 1) & 0x7fff_ffff;
		long token = ((long) this.serial << 32) | slot;
		try {
			this.epoll.add(fd, events, token);
		}
		catch (SyscallException ex) {
			freeSlot(slot);
			throw ex;
		}
		this.handlers[slot] = handler;
		this.live++;
		return token;
	}

	/** Frees the slot of {@code handler} if it still holds it. Loop thread only. */
	void release(Object handler, long token) {
		int slot = (int) token;
		if (slot < this.handlers.length && this.handlers[slot] == handler) {
			this.handlers[slot] = null;
			this.live--;
			freeSlot(slot);
		}
	}

	private void freeSlot(int slot) {
		if (this.freeCount == this.freeSlots.length) {
			this.freeSlots = Arrays.copyOf(this.freeSlots, this.freeCount * 2);
		}
		this.freeSlots[this.freeCount++] = slot;
	}

	/** Runs what other threads queued; false once the loop is asked to stop. */
	private boolean runTasks() {
		ArrayDeque<Runnable> batch;
		boolean stop;
		this.taskLock.lock();
		try {
			batch = this.tasks;
			this.tasks = this.runningTasks;
			this.runningTasks = batch;
			this.wakePending = false;
			stop = this.stopping;
		}
		finally {
			this.taskLock.unlock();
		}
		Runnable task;
		while ((task = batch.poll()) != null) {
			try {
				task.run();
			}
			catch (Throwable ex) {
				logger.log(Level.WARNING, "I/O loop task failed", ex);
			}
		}
		return !stop;
	}

	private void shutdown() {
		this.closing = true;
		this.taskLock.lock();
		try {
			this.stopping = true;
		}
		finally {
			this.taskLock.unlock();
		}
		// queued registrations now fail (closing), queued cancels and releases still run
		runTasks();
		for (int slot = 0; slot < this.handlers.length; slot++) {
			Object handler = this.handlers[slot];
			if (handler instanceof OutputWatch watch) {
				end(watch);
			}
			else if (handler instanceof StdinWriter writer) {
				writer.loopClosed();
				release(writer, writer.token);
			}
		}
		// every writer has let go of its descriptor, so no thread touches epoll any more
		this.epoll.close();
	}

	/** One output descriptor and its sink; its fields belong to the loop thread. */
	static final class OutputWatch implements Registration {

		private final IoLoop loop;

		final int fd;

		final OutputSink sink;

		long token;

		boolean ended;

		OutputWatch(IoLoop loop, int fd, OutputSink sink) {
			this.loop = loop;
			this.fd = fd;
			this.sink = sink;
		}

		@Override
		public void cancel() {
			if (this.loop.inLoop()) {
				this.loop.end(this);
				return;
			}
			try {
				this.loop.execute(() -> this.loop.end(this));
			}
			catch (RejectedExecutionException ex) {
				// the loop is closing and ends every stream itself
			}
		}

		@Override
		public String toString() {
			return "output fd " + this.fd;
		}

	}

}
