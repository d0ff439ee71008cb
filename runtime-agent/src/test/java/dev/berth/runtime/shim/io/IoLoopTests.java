package dev.berth.runtime.shim.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.berth.runtime.linux.Epoll;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.Pty;
import dev.berth.runtime.linux.SyscallException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class IoLoopTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final int EPIPE = 32;

	private IoLoop loop;

	private final List<Integer> toClose = new ArrayList<>();

	@BeforeEach
	void start() {
		this.loop = IoLoop.start();
	}

	@AfterEach
	void stop() {
		this.loop.close();
		this.toClose.forEach(Kernel::close);
	}

	@Test
	void outputArrivesInOrderAndEndsOnceAtEndOfFile() throws Exception {
		int[] pipe = Kernel.pipe();
		String identity = Files.readSymbolicLink(fdPath(pipe[0])).toString();
		RecordingSink sink = new RecordingSink();
		this.loop.watchOutput(pipe[0], sink);
		byte[] expected = pattern(3 * 1024 * 1024 + 17, 1);
		Thread writer = Thread.ofPlatform().start(() -> {
			writeInRandomChunks(pipe[1], expected, new Random(1));
			Kernel.close(pipe[1]);
		});
		sink.awaitEnd(TIMEOUT);
		writer.join();
		assertThat(sink.bytes()).isEqualTo(expected);
		TimeUnit.MILLISECONDS.sleep(50);
		assertThat(sink.ends()).isOne();
		assertThat(this.loop.registrations()).isZero();
		assertThat(closedOrReused(pipe[0], identity)).as("read end closed by the loop").isTrue();
	}

	@Test
	void terminalMasterEndsOnceWithEioWhenThePeerCloses() throws Exception {
		int master = Pty.openMaster("/dev/ptmx");
		int peer = Pty.openPeer(master);
		RecordingSink sink = new RecordingSink();
		this.loop.watchOutput(master, sink);
		Kernel.writeFully(peer, "hello\n".getBytes(StandardCharsets.US_ASCII));
		sink.awaitText("hello\r\n", TIMEOUT);
		// written just before the close: still read before the EIO
		Kernel.writeFully(peer, "bye\n".getBytes(StandardCharsets.US_ASCII));
		Kernel.close(peer);
		sink.awaitEnd(TIMEOUT);
		assertThat(sink.text()).isEqualTo("hello\r\nbye\r\n");
		TimeUnit.MILLISECONDS.sleep(50);
		assertThat(sink.ends()).isOne();
		assertThat(this.loop.registrations()).isZero();
	}

	@Test
	void terminalStdinGoesThroughADuplicateOfTheMaster() throws Exception {
		int master = Pty.openMaster("/dev/ptmx");
		int peer = Pty.openPeer(master);
		RecordingSink sink = new RecordingSink();
		this.loop.watchOutput(master, sink);
		StdinWriter stdin = this.loop.writer(Epoll.duplicate(master));
		stdin.write("echo me\n".getBytes(StandardCharsets.US_ASCII));
		byte[] line = new byte[64];
		int read = Kernel.read(peer, line);
		assertThat(new String(line, 0, read, StandardCharsets.US_ASCII)).isEqualTo("echo me\n");
		// the terminal echoes input back to the master, where the output watch sees it
		sink.awaitText("echo me\r\n", TIMEOUT);
		Kernel.close(peer);
		sink.awaitEnd(TIMEOUT);
		awaitClosed(stdin);
		assertThatExceptionOfType(SyscallException.class).isThrownBy(() -> stdin.write(new byte[] { 'x' }));
		assertThat(this.loop.registrations()).isZero();
	}

	@Test
	void twoHundredPipesShareOneLoop() throws Exception {
		int count = 200;
		List<RecordingSink> sinks = new ArrayList<>();
		List<byte[]> expected = new ArrayList<>();
		List<Thread> writers = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			int[] pipe = Kernel.pipe();
			RecordingSink sink = new RecordingSink();
			this.loop.watchOutput(pipe[0], sink);
			byte[] data = pattern(96 * 1024 + i, i);
			sinks.add(sink);
			expected.add(data);
			long seed = i;
			writers.add(Thread.ofPlatform().unstarted(() -> {
				writeInRandomChunks(pipe[1], data, new Random(seed));
				Kernel.close(pipe[1]);
			}));
		}
		long started = System.nanoTime();
		writers.forEach(Thread::start);
		for (int i = 0; i < count; i++) {
			sinks.get(i).awaitEnd(TIMEOUT);
			assertThat(sinks.get(i).bytes()).as("pipe %d", i).isEqualTo(expected.get(i));
			assertThat(sinks.get(i).ends()).isOne();
		}
		long elapsed = System.nanoTime() - started;
		for (Thread writer : writers) {
			writer.join();
		}
		long total = expected.stream().mapToLong((data) -> data.length).sum();
		System.out.printf("IoLoop: %d pipes, %d MiB in %d ms (%.0f MiB/s) on one loop thread%n", count,
				total >> 20, elapsed / 1_000_000, total / 1048576.0 / (elapsed / 1e9));
		assertThat(this.loop.registrations()).isZero();
	}

	@Test
	void onePipeThroughput() throws Exception {
		int[] pipe = Kernel.pipe();
		long total = 256L * 1024 * 1024;
		long[] received = new long[1];
		RecordingSink ends = new RecordingSink();
		this.loop.watchOutput(pipe[0], new OutputSink() {

			@Override
			public void onData(byte[] data, int length) {
				received[0] += length;
			}

			@Override
			public void onEnd() {
				ends.onEnd();
			}

		});
		byte[] chunk = pattern(64 * 1024, 5);
		long started = System.nanoTime();
		for (long sent = 0; sent < total; sent += chunk.length) {
			Kernel.writeFully(pipe[1], chunk);
		}
		Kernel.close(pipe[1]);
		ends.awaitEnd(TIMEOUT);
		long elapsed = System.nanoTime() - started;
		System.out.printf("IoLoop: one pipe, %d MiB in %d ms (%.0f MiB/s)%n", total >> 20, elapsed / 1_000_000,
				total / 1048576.0 / (elapsed / 1e9));
		assertThat(this.loop.call(() -> received[0])).isEqualTo(total);
	}

	@Test
	void stdinWriterWaitsWhileFullAndGoesOnAsTheContainerReads() throws Exception {
		int[] pipe = Kernel.pipe();
		this.toClose.add(pipe[0]);
		int limit = 64 * 1024;
		StdinWriter stdin = this.loop.writer(pipe[1], limit);
		byte[] data = pattern(1024 * 1024, 7);
		Thread caller = Thread.ofVirtual().start(() -> {
			try {
				stdin.write(data);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		// nobody reads: the pipe fills (64 KiB), then the queue, then the caller waits
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (stdin.pending() < limit && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(5);
		}
		TimeUnit.MILLISECONDS.sleep(100);
		assertThat(stdin.pending()).isEqualTo(limit);
		assertThat(caller.isAlive()).as("caller waits for room").isTrue();
		assertThat(caller.getState()).isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
		byte[] received = readExactly(pipe[0], data.length);
		caller.join(TIMEOUT.toMillis());
		assertThat(caller.isAlive()).isFalse();
		assertThat(received).isEqualTo(data);
		stdin.close();
		assertThat(Kernel.read(pipe[0], new byte[16])).as("end of file after close").isZero();
	}

	@Test
	void closeWaitsForTheQueueToDrain() throws Exception {
		int[] pipe = Kernel.pipe();
		this.toClose.add(pipe[0]);
		StdinWriter stdin = this.loop.writer(pipe[1]);
		byte[] data = pattern(300 * 1024, 3);
		stdin.write(data);
		stdin.close();
		assertThat(stdin.isOpen()).as("still draining: the pipe holds only 64 KiB").isTrue();
		assertThatIllegalStateException().isThrownBy(() -> stdin.write(new byte[] { 1 }))
			.withMessageContaining("is closed");
		byte[] received = readExactly(pipe[0], data.length);
		assertThat(received).isEqualTo(data);
		assertThat(Kernel.read(pipe[0], new byte[16])).as("end of file once drained").isZero();
		awaitClosed(stdin);
		assertThat(this.loop.registrations()).isZero();
	}

	@Test
	void closeOfAnIdleWriterClosesAtOnce() throws Exception {
		int[] pipe = Kernel.pipe();
		this.toClose.add(pipe[0]);
		StdinWriter stdin = this.loop.writer(pipe[1]);
		stdin.close();
		assertThat(stdin.isOpen()).isFalse();
		assertThat(Kernel.read(pipe[0], new byte[16])).isZero();
		assertThat(this.loop.registrations()).isZero();
	}

	@Test
	void writerFailsWithEpipeOnceTheContainerClosedItsEnd() throws Exception {
		int[] pipe = Kernel.pipe();
		StdinWriter stdin = this.loop.writer(pipe[1]);
		Kernel.close(pipe[0]);
		// an idle writer learns it from EPOLLERR and lets go of the descriptor at once
		awaitClosed(stdin);
		assertThatExceptionOfType(SyscallException.class).isThrownBy(() -> stdin.write(new byte[] { 1 }))
			.satisfies((ex) -> assertThat(ex.errno()).isEqualTo(EPIPE));
		assertThat(this.loop.registrations()).isZero();
	}

	@Test
	void writerWaitingForRoomFailsWhenTheContainerGoes() throws Exception {
		int[] pipe = Kernel.pipe();
		StdinWriter stdin = this.loop.writer(pipe[1], 1024);
		Thread caller = Thread.ofVirtual().start(() -> {
			try {
				stdin.write(new byte[1024 * 1024]);
			}
			catch (SyscallException ex) {
				// expected
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (stdin.pending() < 1024 && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(5);
		}
		Kernel.close(pipe[0]);
		caller.join(TIMEOUT.toMillis());
		assertThat(caller.isAlive()).isFalse();
		awaitClosed(stdin);
	}

	@Test
	void cancelEndsOnceAndClosesTheDescriptor() throws Exception {
		int[] pipe = Kernel.pipe();
		this.toClose.add(pipe[1]);
		RecordingSink sink = new RecordingSink();
		Registration registration = this.loop.watchOutput(pipe[0], sink);
		Kernel.writeFully(pipe[1], "before".getBytes(StandardCharsets.US_ASCII));
		sink.awaitText("before", TIMEOUT);
		registration.cancel();
		sink.awaitEnd(TIMEOUT);
		registration.cancel();
		TimeUnit.MILLISECONDS.sleep(50);
		assertThat(sink.ends()).isOne();
		// the read end is closed: the write end has no reader any more
		assertThatExceptionOfType(SyscallException.class)
			.isThrownBy(() -> Kernel.writeFully(pipe[1], new byte[] { 1 }))
			.satisfies((ex) -> assertThat(ex.errno()).isEqualTo(EPIPE));
	}

	@Test
	void aFailingSinkDoesNotStopTheLoop() throws Exception {
		int[] bad = Kernel.pipe();
		int[] good = Kernel.pipe();
		this.toClose.add(bad[1]);
		this.toClose.add(good[1]);
		this.loop.watchOutput(bad[0], new OutputSink() {

			@Override
			public void onData(byte[] data, int length) {
				throw new IllegalStateException("sink bug (expected by the test)");
			}

			@Override
			public void onEnd() {
			}

		});
		RecordingSink sink = new RecordingSink();
		this.loop.watchOutput(good[0], sink);
		Kernel.writeFully(bad[1], "x".getBytes(StandardCharsets.US_ASCII));
		Kernel.writeFully(good[1], "still served".getBytes(StandardCharsets.US_ASCII));
		sink.awaitText("still served", TIMEOUT);
	}

	@Test
	void sinkMayRegisterAndCancelOnTheLoopThread() throws Exception {
		int[] first = Kernel.pipe();
		int[] second = Kernel.pipe();
		this.toClose.add(second[1]);
		RecordingSink secondSink = new RecordingSink();
		Registration[] registered = new Registration[1];
		this.loop.watchOutput(first[0], new OutputSink() {

			@Override
			public void onData(byte[] data, int length) {
				registered[0] = IoLoopTests.this.loop.watchOutput(second[0], secondSink);
			}

			@Override
			public void onEnd() {
				registered[0].cancel();
			}

		});
		Kernel.writeFully(first[1], new byte[] { 1 });
		Kernel.close(first[1]);
		secondSink.awaitEnd(TIMEOUT);
		assertThat(this.loop.registrations()).isZero();
	}

	@Test
	void closingTheLoopEndsEveryStreamAndRefusesNewOnes() throws Exception {
		List<RecordingSink> sinks = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			int[] pipe = Kernel.pipe();
			this.toClose.add(pipe[1]);
			RecordingSink sink = new RecordingSink();
			this.loop.watchOutput(pipe[0], sink);
			sinks.add(sink);
		}
		int[] stdinPipe = Kernel.pipe();
		this.toClose.add(stdinPipe[0]);
		StdinWriter stdin = this.loop.writer(stdinPipe[1]);
		this.loop.close();
		for (RecordingSink sink : sinks) {
			sink.awaitEnd(TIMEOUT);
			assertThat(sink.ends()).isOne();
		}
		assertThat(stdin.isOpen()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> stdin.write(new byte[] { 1 }));
		int[] late = Kernel.pipe();
		this.toClose.add(late[0]);
		this.toClose.add(late[1]);
		assertThatExceptionOfType(RejectedExecutionException.class)
			.isThrownBy(() -> this.loop.watchOutput(late[0], new RecordingSink()));
	}

	@Test
	void idleRegistrationsCostLittleHeap() throws Exception {
		int count = 1000;
		int[][] pipes = new int[count][];
		for (int i = 0; i < count; i++) {
			pipes[i] = Kernel.pipe();
		}
		OutputSink sink = new RecordingSink();
		List<Registration> registrations = new ArrayList<>(count);
		// load and link the registration path first, so only what registrations keep is measured
		int[] warmUp = Kernel.pipe();
		this.toClose.add(warmUp[1]);
		this.loop.watchOutput(warmUp[0], sink).cancel();
		long before = usedHeap();
		for (int i = 0; i < count; i++) {
			registrations.add(this.loop.watchOutput(pipes[i][0], sink));
		}
		long after = usedHeap();
		long perRegistration = (after - before) / count;
		System.out.printf("IoLoop: %d idle pipe registrations grew the heap by %d bytes, %d bytes each%n", count,
				after - before, perRegistration);
		assertThat(this.loop.registrations()).isEqualTo(count);
		assertThat(perRegistration).isLessThan(4096);
		registrations.forEach(Registration::cancel);
		for (int[] pipe : pipes) {
			Kernel.close(pipe[1]);
		}
	}

	/** Live heap after full collections, once two in a row agree (the loop thread may allocate). */
	static long usedHeap() throws InterruptedException {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		long previous = -1;
		for (int i = 0; i < 10; i++) {
			System.gc();
			TimeUnit.MILLISECONDS.sleep(20);
			long used = memory.getHeapMemoryUsage().getUsed();
			if (previous >= 0 && Math.abs(used - previous) < 1024) {
				return used;
			}
			previous = used;
		}
		return previous;
	}

	static byte[] pattern(int length, int seed) {
		byte[] data = new byte[length];
		new Random(seed).nextBytes(data);
		return data;
	}

	private static void writeInRandomChunks(int fd, byte[] data, Random random) {
		int offset = 0;
		while (offset < data.length) {
			int chunk = Math.min(data.length - offset, 1 + random.nextInt(70_000));
			byte[] part = new byte[chunk];
			System.arraycopy(data, offset, part, 0, chunk);
			Kernel.writeFully(fd, part);
			offset += chunk;
		}
	}

	private static byte[] readExactly(int fd, int length) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[65536];
		while (out.size() < length) {
			int read = Kernel.read(fd, buffer);
			assertThat(read).as("read before end of file").isPositive();
			out.write(buffer, 0, read);
		}
		return out.toByteArray();
	}

	private static void awaitClosed(StdinWriter writer) throws InterruptedException {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (writer.isOpen() && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(5);
		}
		assertThat(writer.isOpen()).as("writer closed").isFalse();
	}

	private static Path fdPath(int fd) {
		return Path.of("/proc/self/fd/" + fd);
	}

	private static boolean closedOrReused(int fd, String identity) {
		try {
			return !Files.readSymbolicLink(fdPath(fd)).toString().equals(identity);
		}
		catch (IOException ex) {
			return true;
		}
	}

}
