package dev.berth.runtime.shim.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.shim.io.JsonFileLogReader.Query;

import static dev.berth.runtime.shim.io.JsonFileLogTests.T0;
import static dev.berth.runtime.shim.io.JsonFileLogTests.send;
import static org.assertj.core.api.Assertions.assertThat;

class JsonFileLogReaderTests {

	private static final Duration POLL = Duration.ofMillis(5);

	@TempDir
	Path temp;

	private final JsonFileLogTests.TestClock clock = new JsonFileLogTests.TestClock(T0);

	private Path file() {
		return JsonFileLog.path(this.temp, "c1");
	}

	/** {@code count} entries {@code line-N}, one second apart, in files of at most {@code maxSize}. */
	private void write(int count, long maxSize) throws Exception {
		JsonFileLog.Options options = JsonFileLog.Options.defaults()
			.withClock(this.clock)
			.withMaxSize(maxSize)
			.withMaxFiles(3);
		try (JsonFileLog log = JsonFileLog.open(file(), options)) {
			for (int i = 0; i < count; i++) {
				this.clock.set(T0.plusSeconds(i));
				send((i % 2 == 0) ? log.stdout() : log.stderr(), "line-%d\n".formatted(i));
			}
		}
	}

	@Test
	void readsEveryFileOldestFirst() throws Exception {
		write(60, 1024);
		assertThat(JsonFileLog.rotated(file(), 2)).exists();
		List<LogEntry> entries = read(Query.all());
		int oldest = number(entries.getFirst());
		assertThat(oldest).isPositive();
		assertThat(entries).extracting(JsonFileLogReaderTests::number)
			.containsExactlyElementsOf(range(oldest, 60));
		LogEntry first = entries.getFirst();
		assertThat(first.stream()).isEqualTo((oldest % 2 == 0) ? "stdout" : "stderr");
		assertThat(first.time()).isEqualTo(T0.plusSeconds(oldest));
		assertThat(first.log()).isEqualTo("line-" + oldest + "\n");
	}

	@Test
	void tailCountsBackAcrossRotatedFiles() throws Exception {
		write(60, 1024);
		long inNewest = Files.readAllLines(file()).size();
		int tail = (int) inNewest + 3;
		assertThat(read(Query.all().withTail(tail))).extracting(JsonFileLogReaderTests::number)
			.containsExactlyElementsOf(range(60 - tail, 60));
		assertThat(read(Query.all().withTail(1))).extracting(JsonFileLogReaderTests::number).containsExactly(59);
		assertThat(read(Query.all().withTail(0))).isEmpty();
		assertThat(read(Query.all().withTail(10_000))).hasSameSizeAs(read(Query.all()));
	}

	@Test
	void sinceAndUntilAreInclusive() throws Exception {
		write(60, 100_000);
		assertThat(read(Query.all().withSince(T0.plusSeconds(10)).withUntil(T0.plusSeconds(20))))
			.extracting(JsonFileLogReaderTests::number)
			.containsExactlyElementsOf(range(10, 21));
		assertThat(read(Query.all().withSince(T0.plusMillis(57_500)))).extracting(JsonFileLogReaderTests::number)
			.containsExactly(58, 59);
		// tail applies to the whole log, since then filters it, as in docker logs
		assertThat(read(Query.all().withTail(5).withSince(T0.plusSeconds(57))))
			.extracting(JsonFileLogReaderTests::number)
			.containsExactly(57, 58, 59);
	}

	@Test
	void emptyOrMissingLogReadsNothing() throws Exception {
		assertThat(read(Query.all())).isEmpty();
		Files.createFile(file());
		assertThat(read(Query.all().withTail(3))).isEmpty();
	}

	@Test
	void followSeesNewEntriesAcrossRotations() throws Exception {
		int count = 400;
		JsonFileLog.Options options = JsonFileLog.Options.defaults().withMaxSize(2048).withMaxFiles(3);
		JsonFileLog log = JsonFileLog.open(file(), options);
		send(log.stdout(), "line-0\n");
		// a follower more than two rotations behind loses a file, as with Docker: the writer waits
		// for the reader to come within one file (about 25 lines) so that the test sees the
		// rotations followed, not a slow machine
		AtomicInteger seen = new AtomicInteger(-1);
		try (JsonFileLogReader reader = JsonFileLogReader.open(file(), Query.all().withFollow(true), POLL)) {
			CompletableFuture<List<LogEntry>> followed = CompletableFuture.supplyAsync(() -> {
				List<LogEntry> entries = new ArrayList<>();
				for (LogEntry entry = nextOf(reader); entry != null; entry = nextOf(reader)) {
					entries.add(entry);
					seen.set(number(entry));
				}
				return entries;
			});
			Thread writer = Thread.ofPlatform().start(() -> {
				for (int i = 1; i < count; i++) {
					send(log.stdout(), "line-%d\n".formatted(i));
					if (i % 4 == 0) {
						sleep(1);
					}
					long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
					while (seen.get() < i - 20 && System.nanoTime() < deadline) {
						sleep(1);
					}
				}
				try {
					log.close();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			writer.join();
			assertThat(JsonFileLog.rotated(file(), 2)).exists();
			reader.endFollow();
			assertThat(followed.get(30, TimeUnit.SECONDS)).extracting(JsonFileLogReaderTests::number)
				.containsExactlyElementsOf(range(0, count));
		}
	}

	@Test
	void followWithTailZeroStartsAtTheEnd() throws Exception {
		write(10, 100_000);
		JsonFileLog log = JsonFileLog.open(file(), JsonFileLog.Options.defaults().withClock(this.clock));
		try (JsonFileLogReader reader = JsonFileLogReader.open(file(), Query.all().withTail(0).withFollow(true),
				POLL)) {
			CompletableFuture<List<LogEntry>> followed = CompletableFuture.supplyAsync(() -> readAll(reader));
			sleep(50);
			send(log.stdout(), "line-10\nline-11\n");
			log.close();
			sleep(50);
			reader.endFollow();
			assertThat(followed.get(30, TimeUnit.SECONDS)).extracting(JsonFileLogReaderTests::number)
				.containsExactly(10, 11);
		}
	}

	@Test
	void followReturnsALineOnlyOnceItIsComplete() throws Exception {
		Files.writeString(file(), JsonFileLogTests.entry("a\\n", "stdout", "2026-11-28T15:04:05Z") + "{\"log\":\"b");
		try (JsonFileLogReader reader = JsonFileLogReader.open(file(), Query.all().withFollow(true), POLL)) {
			assertThat(reader.next().log()).isEqualTo("a\n");
			CompletableFuture<LogEntry> next = CompletableFuture.supplyAsync(() -> nextOf(reader));
			sleep(50);
			assertThat(next).isNotDone();
			Files.writeString(file(), "\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T15:04:06Z\"}\n",
					StandardOpenOption.APPEND);
			assertThat(next.get(30, TimeUnit.SECONDS).log()).isEqualTo("b\n");
		}
	}

	@Test
	void followEndsAtUntilAndAtClose() throws Exception {
		write(5, 100_000);
		try (JsonFileLogReader reader = JsonFileLogReader.open(file(),
				Query.all().withFollow(true).withUntil(T0.plusSeconds(2)), POLL)) {
			assertThat(readAll(reader)).extracting(JsonFileLogReaderTests::number).containsExactly(0, 1, 2);
		}
		JsonFileLogReader reader = JsonFileLogReader.open(file(), Query.all().withTail(0).withFollow(true), POLL);
		CompletableFuture<LogEntry> next = CompletableFuture.supplyAsync(() -> nextOf(reader));
		sleep(50);
		reader.close();
		assertThat(next.get(30, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void readerSkipsLinesThatAreNotEntries() throws Exception {
		Files.writeString(file(), "garbage\n{}\n{\"log\":1}\n"
				+ "{\"attrs\":{\"k\":[1,\"}\"]},\"log\":\"ok\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-28T15:04:05Z\"}\n");
		assertThat(read(Query.all())).singleElement()
			.isEqualTo(new LogEntry("stderr", Instant.parse("2026-11-28T15:04:05Z"), "ok\n"));
	}

	private List<LogEntry> read(Query query) throws Exception {
		try (JsonFileLogReader reader = JsonFileLogReader.open(file(), query)) {
			return readAll(reader);
		}
	}

	private static List<LogEntry> readAll(JsonFileLogReader reader) {
		List<LogEntry> entries = new ArrayList<>();
		for (LogEntry entry = nextOf(reader); entry != null; entry = nextOf(reader)) {
			entries.add(entry);
		}
		return entries;
	}

	private static LogEntry nextOf(JsonFileLogReader reader) {
		try {
			return reader.next();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static int number(LogEntry entry) {
		return Integer.parseInt(entry.log().strip().substring("line-".length()));
	}

	private static List<Integer> range(int from, int to) {
		List<Integer> numbers = new ArrayList<>();
		for (int i = from; i < to; i++) {
			numbers.add(i);
		}
		return numbers;
	}

	private static void sleep(long millis) {
		try {
			TimeUnit.MILLISECONDS.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
