package dev.berth.runtime.shim.io;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Memory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.berth.runtime.linux.Epoll;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.SyscallException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class EpollTests {

	private Epoll epoll;

	private int[] pipe;

	@BeforeEach
	void open() {
		this.epoll = Epoll.open(8);
		this.pipe = Kernel.pipe();
	}

	@AfterEach
	void close() {
		this.epoll.close();
		closeIfOpen(0);
		closeIfOpen(1);
	}

	private void closeIfOpen(int end) {
		if (this.pipe[end] >= 0) {
			Kernel.close(this.pipe[end]);
			this.pipe[end] = -1;
		}
	}

	@Test
	void readyDescriptorComesBackWithItsWholeToken() {
		// every byte of the 64-bit token set: a wrong struct layout would garble it
		long token = 0x7edc_ba98_7654_3210L;
		this.epoll.add(this.pipe[0], Epoll.EPOLLIN, token);
		assertThat(this.epoll.await(0)).isZero();
		Kernel.writeFully(this.pipe[1], "x".getBytes(StandardCharsets.US_ASCII));
		assertThat(this.epoll.await(1000)).isOne();
		assertThat(this.epoll.token(0)).isEqualTo(token);
		assertThat(this.epoll.events(0)).isEqualTo(Epoll.EPOLLIN);
	}

	@Test
	void modifyChangesInterestAndToken() {
		this.epoll.add(this.pipe[1], 0, 1L);
		assertThat(this.epoll.await(0)).isZero();
		this.epoll.modify(this.pipe[1], Epoll.EPOLLOUT, 2L);
		assertThat(this.epoll.await(1000)).isOne();
		assertThat(this.epoll.token(0)).isEqualTo(2L);
		assertThat(this.epoll.events(0)).isEqualTo(Epoll.EPOLLOUT);
	}

	@Test
	void removedDescriptorIsNotReported() {
		this.epoll.add(this.pipe[0], Epoll.EPOLLIN, 1L);
		this.epoll.remove(this.pipe[0]);
		Kernel.writeFully(this.pipe[1], new byte[] { 1 });
		assertThat(this.epoll.await(0)).isZero();
	}

	@Test
	void writeEndOfAPipeWithoutReaderReportsAnError() {
		this.epoll.add(this.pipe[1], 0, 5L);
		closeIfOpen(0);
		assertThat(this.epoll.await(1000)).isOne();
		assertThat(this.epoll.events(0) & Epoll.EPOLLERR).isNotZero();
	}

	@Test
	void wakeupFromAnotherThreadEndsTheWaitWithNothingReady() throws Exception {
		Thread waker = Thread.ofVirtual().start(() -> {
			try {
				TimeUnit.MILLISECONDS.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.epoll.wakeup();
		});
		long started = System.nanoTime();
		assertThat(this.epoll.await(10_000)).isZero();
		assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(5));
		waker.join();
		// the wake-up was consumed: the next wait times out
		assertThat(this.epoll.await(10)).isZero();
	}

	@Test
	void wakeupTokenIsReserved() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.epoll.add(this.pipe[0], Epoll.EPOLLIN, Epoll.WAKEUP_TOKEN));
	}

	@Test
	void addingAClosedDescriptorNamesTheCall() {
		int[] other = Kernel.pipe();
		Kernel.close(other[0]);
		Kernel.close(other[1]);
		assertThatExceptionOfType(SyscallException.class)
			.isThrownBy(() -> this.epoll.add(other[0], Epoll.EPOLLIN, 1L))
			.withMessageStartingWith("epoll_ctl add fd " + other[0] + ": EBADF");
	}

	@Test
	void nonBlockingReadReportsNothingToReadThenData() {
		Epoll.setNonBlocking(this.pipe[0]);
		Memory buffer = new Memory(16);
		assertThat(Epoll.read(this.pipe[0], buffer, 16)).isEqualTo(-1);
		Kernel.writeFully(this.pipe[1], "abc".getBytes(StandardCharsets.US_ASCII));
		assertThat(Epoll.read(this.pipe[0], buffer, 16)).isEqualTo(3);
		assertThat(buffer.getByteArray(0, 3)).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
		closeIfOpen(1);
		assertThat(Epoll.read(this.pipe[0], buffer, 16)).isZero();
		int duplicate = Epoll.duplicate(this.pipe[0]);
		assertThat(duplicate).isNotEqualTo(this.pipe[0]);
		Kernel.close(duplicate);
	}

}
