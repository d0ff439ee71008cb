package dev.berth.runtime.shim.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.linux.Kernel;

import static org.assertj.core.api.Assertions.assertThat;

class JsonFileLogTests {

	static final Instant T0 = Instant.parse("2026-11-28T15:04:05.123456789Z");

	@TempDir
	Path temp;

	private final TestClock clock = new TestClock(T0);

	private Path file() {
		return JsonFileLog.path(this.temp, "c1");
	}

	private JsonFileLog open() throws Exception {
		return JsonFileLog.open(file(), JsonFileLog.Options.defaults().withClock(this.clock));
	}

	@Test
	void fileIsNamedLikeDockers() {
		assertThat(JsonFileLog.path(Path.of("/var/lib/berth/containers/abc"), "abc"))
			.isEqualTo(Path.of("/var/lib/berth/containers/abc/abc-json.log"));
		JsonFileLog.Options defaults = JsonFileLog.Options.defaults();
		assertThat(defaults.maxSize()).isEqualTo(10L * 1024 * 1024);
		assertThat(defaults.maxFiles()).isEqualTo(3);
	}

	@Test
	void eachLineIsOneJsonObject() throws Exception {
		try (JsonFileLog log = open()) {
			send(log.stdout(), "hello\nworld\n");
			// written when the chunk is handled, not at close
			assertThat(content()).isEqualTo(entry("hello\\n", "stdout", "2026-11-28T15:04:05.123456789Z")
					+ entry("world\\n", "stdout", "2026-11-28T15:04:05.123456789Z"));
		}
	}

	@Test
	void partialLineWaitsForItsNewlineAndTakesItsTime() throws Exception {
		try (JsonFileLog log = open()) {
			send(log.stdout(), "par");
			assertThat(content()).isEmpty();
			this.clock.set(T0.plusSeconds(1));
			send(log.stdout(), "tial\nnext");
			assertThat(content()).isEqualTo(entry("partial\\n", "stdout", "2026-11-28T15:04:06.123456789Z"));
			this.clock.set(T0.plusSeconds(2));
			log.stdout().onEnd();
			assertThat(content()).endsWith(entry("next", "stdout", "2026-11-28T15:04:07.123456789Z"));
			send(log.stdout(), "after the end is dropped\n");
			assertThat(lines()).hasSize(2);
		}
	}

	@Test
	void stdoutAndStderrKeepTheirOwnPartialLines() throws Exception {
		try (JsonFileLog log = open()) {
			send(log.stdout(), "a");
			send(log.stderr(), "b\n");
			send(log.stdout(), "c\n");
			String time = "2026-11-28T15:04:05.123456789Z";
			assertThat(content()).isEqualTo(entry("b\\n", "stderr", time) + entry("ac\\n", "stdout", time));
		}
	}

	@Test
	void closeWritesHeldPartialLines() throws Exception {
		JsonFileLog log = open();
		send(log.stderr(), "no newline");
		log.close();
		assertThat(content()).isEqualTo(entry("no newline", "stderr", "2026-11-28T15:04:05.123456789Z"));
	}

	@Test
	void longLinesAreSplitAt16KiB() throws Exception {
		try (JsonFileLog log = open()) {
			send(log.stdout(), "a".repeat(40_000) + "\n");
			// a line of exactly 16 KiB: it is written when full, its newline on its own
			send(log.stdout(), "b".repeat(16_384) + "\n");
		}
		assertThat(logs()).containsExactly("a".repeat(16_384), "a".repeat(16_384), "a".repeat(7232) + "\n",
				"b".repeat(16_384), "\n");
	}

	@Test
	void longLinesAreSplitAlikeWhenTheyArriveInPieces() throws Exception {
		try (JsonFileLog log = open()) {
			byte[] line = ("a".repeat(40_000) + "\n").getBytes(StandardCharsets.US_ASCII);
			for (int offset = 0; offset < line.length; offset += 999) {
				int length = Math.min(999, line.length - offset);
				byte[] piece = new byte[length];
				System.arraycopy(line, offset, piece, 0, length);
				log.stdout().onData(piece, length);
			}
		}
		assertThat(logs()).containsExactly("a".repeat(16_384), "a".repeat(16_384), "a".repeat(7232) + "\n");
	}

	@Test
	void splitNeverCutsACharacter() throws Exception {
		try (JsonFileLog log = open()) {
			send(log.stdout(), "a".repeat(16_383) + "é\n");
			send(log.stdout(), "b".repeat(16_382) + "😀z\n");
		}
		assertThat(logs()).containsExactly("a".repeat(16_383), "é\n", "b".repeat(16_382), "😀z\n");
	}

	@Test
	void textIsEscapedAndInvalidUtf8Replaced() throws Exception {
		ByteArrayOutputStream input = new ByteArrayOutputStream();
		input.writeBytes("\"q\" b\\s t\t r\r bell\u0007 esc\u001b del\u007f é € 😀 <&> ".getBytes(StandardCharsets.UTF_8));
		// 0xff; overlong 0xc0 0xaf; surrogate 0xed 0xa0 0x80; beyond U+10FFFF; stray continuation;
		// a sequence cut short by the end of the line
		input.writeBytes(new byte[] { (byte) 0xff, (byte) 0xc0, (byte) 0xaf, (byte) 0xed, (byte) 0xa0, (byte) 0x80,
				(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0xe2, (byte) 0x82, '\n' });
		byte[] bytes = input.toByteArray();
		try (JsonFileLog log = open()) {
			log.stdout().onData(bytes, bytes.length);
		}
		String escaped = "\\\"q\\\" b\\\\s t\\t r\\r bell\\u0007 esc\\u001b del\u007f é € 😀 <&> "
				+ "\\ufffd".repeat(13) + "\\n";
		assertThat(content()).isEqualTo(entry(escaped, "stdout", "2026-11-28T15:04:05.123456789Z"));
		assertThat(isValidUtf8(Files.readAllBytes(file()))).isTrue();
		try (JsonFileLogReader reader = JsonFileLogReader.open(file(), JsonFileLogReader.Query.all())) {
			assertThat(reader.next().log()).isEqualTo(
					"\"q\" b\\s t\t r\r bell\u0007 esc\u001b del\u007f é € 😀 <&> " + "\ufffd".repeat(13) + "\n");
		}
	}

	@Test
	void timeIsGoRfc3339NanoInUtc() throws Exception {
		try (JsonFileLog log = open()) {
			for (Instant time : List.of(Instant.parse("2026-11-28T15:04:05Z"), Instant.parse("2026-11-28T15:04:05.120Z"),
					Instant.parse("2026-01-02T03:04:05.000000100Z"), Instant.parse("0999-12-31T23:59:59.5Z"))) {
				this.clock.set(time);
				send(log.stdout(), "x\n");
			}
		}
		assertThat(lines()).extracting((line) -> line.substring(line.indexOf("\"time\":")))
			.containsExactly("\"time\":\"2026-11-28T15:04:05Z\"}", "\"time\":\"2026-11-28T15:04:05.12Z\"}",
					"\"time\":\"2026-01-02T03:04:05.0000001Z\"}", "\"time\":\"0999-12-31T23:59:59.5Z\"}");
	}

	@Test
	void rotationKeepsMaxFilesOfAtMostMaxSize() throws Exception {
		JsonFileLog.Options options = JsonFileLog.Options.defaults().withClock(this.clock).withMaxSize(1024)
			.withMaxFiles(3);
		try (JsonFileLog log = JsonFileLog.open(file(), options)) {
			for (int i = 0; i < 200; i++) {
				send(log.stdout(), "line-%03d\n".formatted(i));
			}
		}
		Path first = JsonFileLog.rotated(file(), 1);
		Path second = JsonFileLog.rotated(file(), 2);
		assertThat(file()).exists();
		assertThat(first).exists();
		assertThat(second).exists();
		assertThat(JsonFileLog.rotated(file(), 3)).doesNotExist();
		int entrySize = entry("line-000\\n", "stdout", "2026-11-28T15:04:05.123456789Z").length();
		for (Path path : List.of(second, first)) {
			// rotated when the next entry would not fit
			assertThat(Files.size(path)).isLessThanOrEqualTo(1024).isGreaterThan(1024 - entrySize);
		}
		assertThat(Files.size(file())).isLessThanOrEqualTo(1024);
		List<String> kept = new ArrayList<>();
		for (Path path : List.of(second, first, file())) {
			for (String line : Files.readAllLines(path)) {
				kept.add(line.substring(8, 16));
			}
		}
		int oldest = Integer.parseInt(kept.getFirst().substring(5));
		assertThat(kept.getLast()).isEqualTo("line-199");
		for (int i = 0; i < kept.size(); i++) {
			assertThat(kept.get(i)).isEqualTo("line-%03d".formatted(oldest + i));
		}
	}

	@Test
	void rotationInTheMiddleOfAChunkOfHugeEntries() throws Exception {
		// each entry escapes to about 96 KiB, past the buffer the log keeps between chunks
		String line = "\u0001".repeat(16_000) + "\n";
		JsonFileLog.Options options = JsonFileLog.Options.defaults().withClock(this.clock).withMaxSize(150_000);
		try (JsonFileLog log = JsonFileLog.open(file(), options)) {
			send(log.stdout(), line.repeat(4));
		}
		assertThat(JsonFileLog.rotated(file(), 2)).exists();
		assertThat(logs()).containsExactly(line, line, line);
		try (JsonFileLogReader reader = JsonFileLogReader.open(JsonFileLog.rotated(file(), 2),
				JsonFileLogReader.Query.all())) {
			assertThat(reader.next().log()).isEqualTo(line);
		}
	}

	@Test
	void oneFileOnlyStartsOver() throws Exception {
		JsonFileLog.Options options = JsonFileLog.Options.defaults().withClock(this.clock).withMaxSize(1024)
			.withMaxFiles(1);
		try (JsonFileLog log = JsonFileLog.open(file(), options)) {
			for (int i = 0; i < 100; i++) {
				send(log.stdout(), "line-%03d\n".formatted(i));
			}
		}
		assertThat(JsonFileLog.rotated(file(), 1)).doesNotExist();
		assertThat(Files.size(file())).isLessThanOrEqualTo(1024);
		assertThat(lines().getLast()).contains("line-099");
	}

	@Test
	void reopeningAppendsAfterATornLine() throws Exception {
		Files.writeString(file(), "{\"log\":\"torn");
		try (JsonFileLog log = open()) {
			send(log.stdout(), "again\n");
		}
		assertThat(content())
			.isEqualTo("{\"log\":\"torn\n" + entry("again\\n", "stdout", "2026-11-28T15:04:05.123456789Z"));
		try (JsonFileLogReader reader = JsonFileLogReader.open(file(), JsonFileLogReader.Query.all())) {
			assertThat(reader.next().log()).isEqualTo("again\n");
			assertThat(reader.next()).isNull();
		}
	}

	@Test
	void pipeThroughTheLoopIntoTheLog() throws Exception {
		int[] pipe = Kernel.pipe();
		try (IoLoop loop = IoLoop.start()) {
			JsonFileLog log = open();
			RecordingSink ended = new RecordingSink();
			loop.watchOutput(pipe[0], new OutputSink() {

				@Override
				public void onData(byte[] data, int length) {
					log.stdout().onData(data, length);
				}

				@Override
				public void onEnd() {
					log.stdout().onEnd();
					ended.onEnd();
				}

			});
			Kernel.writeFully(pipe[1], "one\ntwo\nthree".getBytes(StandardCharsets.US_ASCII));
			Kernel.close(pipe[1]);
			ended.awaitEnd(Duration.ofSeconds(30));
			loop.call(() -> {
				try {
					log.close();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				return null;
			});
		}
		assertThat(logs()).containsExactly("one\n", "two\n", "three");
	}

	@Test
	void idleLogsCostLittleHeap() throws Exception {
		int count = 200;
		List<JsonFileLog> logs = new ArrayList<>(count);
		JsonFileLog.open(this.temp.resolve("warm-up.log"), JsonFileLog.Options.defaults()).close();
		long before = IoLoopTests.usedHeap();
		for (int i = 0; i < count; i++) {
			logs.add(JsonFileLog.open(JsonFileLog.path(this.temp, "c" + i), JsonFileLog.Options.defaults()));
		}
		long after = IoLoopTests.usedHeap();
		long each = (after - before) / count;
		System.out.printf("JsonFileLog: %d open idle logs grew the heap by %d bytes, %d bytes each%n", count,
				after - before, each);
		assertThat(each).isLessThan(64 * 1024);
		for (JsonFileLog log : logs) {
			log.close();
		}
	}

	@Test
	void writeThroughput() throws Exception {
		// 100-byte lines in 32,000-byte chunks, as the loop hands them over; the first round warms up
		byte[] chunk = ("x".repeat(99) + "\n").repeat(320).getBytes(StandardCharsets.US_ASCII);
		int chunks = 2000;
		for (int round = 0; round < 2; round++) {
			long started = System.nanoTime();
			try (JsonFileLog log = JsonFileLog.open(this.temp.resolve("round" + round + "-json.log"),
					JsonFileLog.Options.defaults())) {
				for (int i = 0; i < chunks; i++) {
					log.stdout().onData(chunk, chunk.length);
				}
			}
			long elapsed = System.nanoTime() - started;
			if (round == 1) {
				long lines = 320L * chunks;
				System.out.printf("JsonFileLog: %d lines of 100 bytes in %d ms (%.1f M lines/s, %.0f MiB/s of input),"
						+ " rotating at 10 MiB%n", lines, elapsed / 1_000_000, lines / (elapsed / 1e3),
						(double) chunk.length * chunks / 1048576 / (elapsed / 1e9));
			}
		}
	}

	static void send(OutputSink sink, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		sink.onData(bytes, bytes.length);
	}

	static String entry(String escapedLog, String stream, String time) {
		return "{\"log\":\"" + escapedLog + "\",\"stream\":\"" + stream + "\",\"time\":\"" + time + "\"}\n";
	}

	private String content() throws Exception {
		return Files.readString(file());
	}

	private List<String> lines() throws Exception {
		return Files.readAllLines(file());
	}

	private List<String> logs() throws Exception {
		List<String> logs = new ArrayList<>();
		try (JsonFileLogReader reader = JsonFileLogReader.open(file(), JsonFileLogReader.Query.all())) {
			for (LogEntry entry = reader.next(); entry != null; entry = reader.next()) {
				logs.add(entry.log());
			}
		}
		return logs;
	}

	private static boolean isValidUtf8(byte[] bytes) {
		try {
			StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes));
			return true;
		}
		catch (CharacterCodingException ex) {
			return false;
		}
	}

	/** A clock the test moves by hand. */
	static final class TestClock extends Clock {

		private volatile Instant now;

		TestClock(Instant now) {
			this.now = now;
		}

		void set(Instant now) {
			this.now = now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
