package dev.berth.runtime.shim.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A sink that keeps what it is given and counts its ends; checks it runs on the loop thread. */
class RecordingSink implements OutputSink {

	private final ByteArrayOutputStream data = new ByteArrayOutputStream();

	private final CountDownLatch ended = new CountDownLatch(1);

	private final AtomicInteger ends = new AtomicInteger();

	private volatile boolean dataAfterEnd;

	private volatile String wrongThread;

	@Override
	public void onData(byte[] bytes, int length) {
		checkThread();
		if (this.ends.get() > 0) {
			this.dataAfterEnd = true;
		}
		synchronized (this.data) {
			this.data.write(bytes, 0, length);
		}
	}

	@Override
	public void onEnd() {
		checkThread();
		this.ends.incrementAndGet();
		this.ended.countDown();
	}

	private void checkThread() {
		if (!Thread.currentThread().getName().startsWith("berth-io")) {
			this.wrongThread = Thread.currentThread().getName();
		}
	}

	byte[] bytes() {
		synchronized (this.data) {
			return this.data.toByteArray();
		}
	}

	String text() {
		return new String(bytes(), StandardCharsets.UTF_8);
	}

	int size() {
		synchronized (this.data) {
			return this.data.size();
		}
	}

	int ends() {
		return this.ends.get();
	}

	void awaitEnd(Duration timeout) throws InterruptedException {
		assertThat(this.ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("stream ended").isTrue();
		assertThat(this.wrongThread).as("sink called off the loop thread").isNull();
		assertThat(this.dataAfterEnd).as("data after end").isFalse();
	}

	void awaitText(String expected, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!text().contains(expected) && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(5);
		}
		assertThat(text()).contains(expected);
	}

}
