package dev.berth.runtime.shim.io;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/**
 * Docker's json-file log: one JSON object per line,
 * {@code {"log":"text\n","stream":"stdout","time":"2026-11-28T15:04:05.123456789Z"}}, so
 * {@code docker logs} and every tool that reads Docker's files can read ours.
 *
 * <p>A line becomes an entry at its newline. A line still open is held (per stream, so stdout
 * and stderr never mix) until its newline, until it reaches {@value #MAX_LINE} bytes (it is then
 * written without a newline, as Docker splits long lines, cut back to a character boundary so no
 * UTF-8 character is split), or until the stream ends. The time is when the shim read the line's
 * last byte, in Go's RFC 3339 form (trailing zeros of the fraction dropped). Bytes that are not
 * UTF-8 become U+FFFD; see {@link JsonText} for the escaping.
 *
 * <p>Rotation is on by default ({@link Options#defaults()}: 10 MiB, 3 files, like
 * {@code max-size}/{@code max-file}): before an entry that would take the file past
 * {@code maxSize}, {@code name-json.log} becomes {@code .1}, {@code .1} becomes {@code .2} and so
 * on, the oldest beyond {@code maxFiles} is dropped, and a new file starts. An entry never spans
 * two files.
 *
 * <p>Cheap on the loop thread: entries are encoded into one byte array and written with one
 * {@code write} per chunk read from the container (never per line, never fsync'd; the page cache
 * is enough for a log and readers see each chunk at once).
 *
 * <p>Not thread-safe: the shim calls it from the {@link IoLoop} thread only, through the sinks
 * {@link #stdout()} and {@link #stderr()}, and closes it there too (for instance with
 * {@code loop.execute(log::close)}). Write failures (a full disk) drop the entries concerned,
 * are counted in {@link #droppedEntries()}, and are retried with the next entry.
 */
public final class JsonFileLog implements AutoCloseable {

	/** Longest line content written as one entry, as in Docker. */
	public static final int MAX_LINE = 16 * 1024;

	public static final long DEFAULT_MAX_SIZE = 10L * 1024 * 1024;

	public static final int DEFAULT_MAX_FILES = 3;

	private static final int INITIAL_BUFFER = 8 * 1024;

	/** A buffer grown past this by one big chunk goes back to the initial size once written. */
	private static final int KEPT_BUFFER = 64 * 1024;

	/** Bytes around the escaped text: the keys, the stream, the time, the newline. */
	private static final int ENTRY_OVERHEAD = 96;

	private static final byte[] LOG_KEY = "{\"log\":\"".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] END = "\"}\n".getBytes(StandardCharsets.US_ASCII);

	private static final System.Logger logger = System.getLogger(JsonFileLog.class.getName());

	private final Path file;

	private final Options options;

	private final Stream stdout = new Stream("stdout");

	private final Stream stderr = new Stream("stderr");

	private final byte[] secondText = new byte[19];

	private final long[] cachedSecond = { Long.MIN_VALUE };

	private final byte[] timeText = new byte[32];

	private Instant lastTime;

	private int timeLength;

	private FileChannel channel;

	private long fileSize;

	private byte[] buffer = new byte[INITIAL_BUFFER];

	private int used;

	private long dropped;

	private boolean failing;

	private boolean closed;

	private JsonFileLog(Path file, Options options) {
		this.file = file;
		this.options = options;
	}

	/** Docker's file name for a container's log: {@code <directory>/<name>-json.log}. */
	public static Path path(Path directory, String name) {
		return directory.resolve(name + "-json.log");
	}

	/**
	 * Opens {@code file} for appending (a restarted container continues its log), creating it
	 * with mode 0640. A line torn by a crash at the end of the file is terminated first, so the
	 * next entry starts on a line of its own.
	 */
	public static JsonFileLog open(Path file, Options options) throws IOException {
		JsonFileLog log = new JsonFileLog(file, options);
		log.openChannel();
		return log;
	}

	/** The sink for the container's stdout (or, with a terminal, for all its output). */
	public OutputSink stdout() {
		return this.stdout;
	}

	/** The sink for the container's stderr. */
	public OutputSink stderr() {
		return this.stderr;
	}

	/** Entries lost to write failures so far. */
	public long droppedEntries() {
		return this.dropped;
	}

	/** Writes what is buffered (normally nothing: every chunk is written as it is handled). */
	public void flush() throws IOException {
		writeBuffer();
	}

	/** Writes out held partial lines (as for a stream's end), flushes and closes the file. */
	@Override
	public void close() throws IOException {
		if (this.closed) {
			return;
		}
		Instant now = this.options.clock().instant();
		try {
			this.stdout.finish(now);
			this.stderr.finish(now);
			writeBuffer();
		}
		finally {
			this.closed = true;
			if (this.channel != null) {
				this.channel.close();
				this.channel = null;
			}
		}
	}

	/** Encodes one entry into the buffer, rotating first if it would overflow the file. */
	private void append(byte[] text, int from, int to, boolean newline, byte[] streamField, Instant time) {
		int room = LOG_KEY.length + (to - from) * JsonText.MAX_EXPANSION + ENTRY_OVERHEAD;
		if (this.buffer.length - this.used < room) {
			writeQuietly();
			if (this.buffer.length - this.used < room) {
				byte[] larger = new byte[Math.max(room + this.used, this.buffer.length * 2)];
				System.arraycopy(this.buffer, 0, larger, 0, this.used);
				this.buffer = larger;
			}
		}
		int start = this.used;
		byte[] out = this.buffer;
		int pos = put(LOG_KEY, out, start);
		pos = JsonText.escape(text, from, to, out, pos);
		if (newline) {
			out[pos++] = '\\';
			out[pos++] = 'n';
		}
		pos = put(streamField, out, pos);
		if (!time.equals(this.lastTime)) {
			// every line of a chunk shares the chunk's time: format it once
			this.timeLength = JsonText.formatTime(time, this.secondText, this.cachedSecond, this.timeText, 0);
			this.lastTime = time;
		}
		System.arraycopy(this.timeText, 0, out, pos, this.timeLength);
		pos += this.timeLength;
		pos = put(END, out, pos);
		int length = pos - start;
		long inFile = this.fileSize + start;
		if (inFile > 0 && inFile + length > this.options.maxSize()) {
			this.used = start;
			writeQuietly();
			try {
				rotate();
			}
			catch (IOException ex) {
				failed(ex, 1);
				return;
			}
			System.arraycopy(this.buffer, start, this.buffer, 0, length);
			this.used = length;
		}
		else {
			this.used = pos;
		}
	}

	private static int put(byte[] bytes, byte[] out, int pos) {
		System.arraycopy(bytes, 0, out, pos, bytes.length);
		return pos + bytes.length;
	}

	private void writeQuietly() {
		try {
			writeBuffer();
		}
		catch (IOException ex) {
			failed(ex, countEntries(this.buffer, this.used));
			this.used = 0;
		}
	}

	private void writeBuffer() throws IOException {
		if (this.used == 0) {
			return;
		}
		if (this.channel == null) {
			openChannel();
		}
		ByteBuffer pending = ByteBuffer.wrap(this.buffer, 0, this.used);
		try {
			while (pending.hasRemaining()) {
				// no fsync: a log is not a database, and the page cache serves readers at once
				this.channel.write(pending);
			}
		}
		catch (IOException ex) {
			// a partial entry may have reached the file; open anew to learn the real size
			closeChannelQuietly();
			throw ex;
		}
		this.fileSize += this.used;
		this.used = 0;
		if (this.failing) {
			this.failing = false;
			logger.log(Level.INFO, "log " + this.file + " is written again");
		}
	}

	/** Writes the buffer at the end of a chunk, and lets a buffer one huge chunk grew go. */
	private void endOfChunk() {
		writeQuietly();
		if (this.buffer.length > KEPT_BUFFER) {
			this.buffer = new byte[INITIAL_BUFFER];
		}
	}

	private void failed(IOException ex, long entries) {
		this.dropped += entries;
		if (!this.failing) {
			this.failing = true;
			logger.log(Level.WARNING, "log " + this.file + " cannot be written; dropping entries until it can", ex);
		}
	}

	private static long countEntries(byte[] buffer, int length) {
		long count = 0;
		for (int i = 0; i < length; i++) {
			if (buffer[i] == '\n') {
				count++;
			}
		}
		return count;
	}

	/** Shifts {@code name-json.log} to {@code .1} and so on, then starts an empty file. */
	private void rotate() throws IOException {
		closeChannelQuietly();
		int maxFiles = this.options.maxFiles();
		if (maxFiles == 1) {
			// a new file rather than truncation: a follower still holding the old one reads it to its end
			Files.deleteIfExists(this.file);
		}
		else {
			for (int index = maxFiles - 1; index >= 1; index--) {
				Path source = (index == 1) ? this.file : rotated(this.file, index - 1);
				try {
					// rename(2): atomic, and a follower's open descriptor keeps the old file
					Files.move(source, rotated(this.file, index), StandardCopyOption.REPLACE_EXISTING,
							StandardCopyOption.ATOMIC_MOVE);
				}
				catch (NoSuchFileException ex) {
					// fewer files than allowed so far
				}
			}
		}
		openChannel();
	}

	static Path rotated(Path file, int index) {
		return file.resolveSibling(file.getFileName() + "." + index);
	}

	private void openChannel() throws IOException {
		FileChannel opened = FileChannel.open(this.file,
				Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
		try {
			long size = opened.size();
			if (size > 0) {
				ByteBuffer last = ByteBuffer.allocate(1);
				opened.read(last, size - 1);
				if (last.get(0) != '\n') {
					// a torn entry (crash, or a failed write): end it, it is not ours to repair
					opened.write(ByteBuffer.wrap(new byte[] { '\n' }), size);
					size++;
				}
			}
			opened.position(size);
			this.channel = opened;
			this.fileSize = size;
		}
		catch (IOException ex) {
			opened.close();
			throw ex;
		}
	}

	private void closeChannelQuietly() {
		if (this.channel != null) {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// nothing buffered by the channel itself
			}
			this.channel = null;
		}
	}

	/** Size and file limits of a log, and the clock that stamps entries. */
	public record Options(long maxSize, int maxFiles, Clock clock) {

		public Options {
			if (maxSize < 1) {
				throw new IllegalArgumentException("maxSize must be positive (Long.MAX_VALUE for unbounded)");
			}
			if (maxFiles < 1) {
				throw new IllegalArgumentException("maxFiles must be at least 1");
			}
			if (clock == null) {
				throw new IllegalArgumentException("clock is required");
			}
		}

		/** 10 MiB per file, 3 files, the system clock. */
		public static Options defaults() {
			return new Options(DEFAULT_MAX_SIZE, DEFAULT_MAX_FILES, Clock.systemUTC());
		}

		public Options withMaxSize(long maxSize) {
			return new Options(maxSize, this.maxFiles, this.clock);
		}

		public Options withMaxFiles(int maxFiles) {
			return new Options(this.maxSize, maxFiles, this.clock);
		}

		public Options withClock(Clock clock) {
			return new Options(this.maxSize, this.maxFiles, clock);
		}

	}

	/** One output stream's sink, holding its open line. */
	private final class Stream implements OutputSink {

		private final byte[] field;

		private byte[] pending;

		private int pendingLength;

		private boolean ended;

		Stream(String name) {
			this.field = ("\",\"stream\":\"" + name + "\",\"time\":\"").getBytes(StandardCharsets.US_ASCII);
		}

		@Override
		public void onData(byte[] data, int length) {
			if (JsonFileLog.this.closed || this.ended) {
				return;
			}
			Instant now = JsonFileLog.this.options.clock().instant();
			int pos = 0;
			while (pos < length) {
				int newline = indexOfNewline(data, pos, length);
				if (newline < 0) {
					take(data, pos, length, false, now);
					break;
				}
				take(data, pos, newline, true, now);
				pos = newline + 1;
			}
			endOfChunk();
		}

		@Override
		public void onEnd() {
			if (JsonFileLog.this.closed || this.ended) {
				return;
			}
			finish(JsonFileLog.this.options.clock().instant());
			endOfChunk();
		}

		void finish(Instant now) {
			this.ended = true;
			if (this.pendingLength > 0) {
				append(this.pending, 0, this.pendingLength, false, this.field, now);
			}
			this.pendingLength = 0;
			this.pending = null;
		}

		/** Line content {@code data[from..to)}, followed by a newline if {@code line}. */
		private void take(byte[] data, int from, int to, boolean line, Instant now) {
			int pos = from;
			while (true) {
				if (this.pendingLength > 0) {
					int count = Math.min(MAX_LINE - this.pendingLength, to - pos);
					hold(data, pos, count);
					pos += count;
					if (this.pendingLength == MAX_LINE) {
						splitPending(now);
						continue;
					}
					if (line) {
						append(this.pending, 0, this.pendingLength, true, this.field, now);
						this.pendingLength = 0;
						if (this.pending.length > 1024) {
							this.pending = null; // idle containers keep no 16 KiB around
						}
					}
					return;
				}
				int remaining = to - pos;
				if (remaining >= MAX_LINE) {
					int cut = JsonText.characterBoundary(data, pos, pos + MAX_LINE);
					append(data, pos, cut, false, this.field, now);
					pos = cut;
					continue;
				}
				if (line) {
					append(data, pos, to, true, this.field, now);
				}
				else if (remaining > 0) {
					hold(data, pos, remaining);
				}
				return;
			}
		}

		/** Writes a full held line without its newline, keeping a character it would split. */
		private void splitPending(Instant now) {
			int cut = JsonText.characterBoundary(this.pending, 0, MAX_LINE);
			append(this.pending, 0, cut, false, this.field, now);
			this.pendingLength = MAX_LINE - cut;
			System.arraycopy(this.pending, cut, this.pending, 0, this.pendingLength);
		}

		private void hold(byte[] data, int from, int count) {
			int needed = this.pendingLength + count;
			if (this.pending == null || this.pending.length < needed) {
				int size = Math.max(256, (this.pending != null) ? this.pending.length : 0);
				while (size < needed) {
					size *= 2;
				}
				byte[] larger = new byte[Math.min(size, MAX_LINE)];
				if (this.pending != null) {
					System.arraycopy(this.pending, 0, larger, 0, this.pendingLength);
				}
				this.pending = larger;
			}
			System.arraycopy(data, from, this.pending, this.pendingLength, count);
			this.pendingLength = needed;
		}

		private static int indexOfNewline(byte[] data, int from, int to) {
			for (int i = from; i < to; i++) {
				if (data[i] == '\n') {
					return i;
				}
			}
			return -1;
		}

	}

}
