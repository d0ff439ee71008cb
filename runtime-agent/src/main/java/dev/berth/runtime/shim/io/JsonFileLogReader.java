package dev.berth.runtime.shim.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads a {@link JsonFileLog} back the way {@code docker logs} does: across its rotated files,
 * oldest first, optionally only the last {@code tail} lines, only entries between {@code since}
 * and {@code until} (both inclusive), and, with {@code follow}, on and on as the log grows and
 * rotates.
 *
 * <p>Memory stays small whatever the log's size: the files are streamed through one buffer as
 * large as the longest line, and {@code tail} is found by counting newlines backwards from the
 * end rather than by keeping lines.
 *
 * <p>Following polls (every 100 ms by default): the writer may live in another process, and a
 * poll at the end of the file is one {@code read} and one {@code stat}. Rotation is noticed when
 * {@code name-json.log} is no longer the file being read: that file is read to its end, then the
 * newer ones in order. A follow ends when {@link #endFollow()} is called (after what is already
 * written has been returned), at {@link #close()}, or past {@code until}.
 *
 * <p>{@link #next()} is for one thread; {@link #endFollow()} and {@link #close()} for any.
 */
public final class JsonFileLogReader implements AutoCloseable {

	static final Duration DEFAULT_POLL = Duration.ofMillis(100);

	private static final int INITIAL_BUFFER = 16 * 1024;

	/** Longer lines are not ours (ours stay under 100 KiB) and are skipped, not buffered. */
	private static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

	private static final int OPEN_ATTEMPTS = 10;

	private final Path file;

	private final Query query;

	private final long pollNanos;

	private final List<Source> sources;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition woken = this.lock.newCondition();

	private int current;

	private long readPosition;

	private byte[] buffer = new byte[INITIAL_BUFFER];

	private int start;

	private int limit;

	private int lineFrom;

	private int lineTo;

	private boolean skippingLongLine;

	private boolean finished;

	private volatile boolean ending;

	private volatile boolean closed;

	private JsonFileLogReader(Path file, Query query, Duration pollInterval, List<Source> sources) {
		this.file = file;
		this.query = query;
		this.pollNanos = pollInterval.toNanos();
		this.sources = sources;
	}

	/** Opens the log at {@code file} (the {@code name-json.log} path) for {@code query}. */
	public static JsonFileLogReader open(Path file, Query query) throws IOException {
		return open(file, query, DEFAULT_POLL);
	}

	/** As {@link #open(Path, Query)}, polling at {@code pollInterval} when following. */
	public static JsonFileLogReader open(Path file, Query query, Duration pollInterval) throws IOException {
		List<Source> sources = openSources(file);
		// copy-on-write: close() may walk the list from another thread while a follow extends it
		JsonFileLogReader reader = new JsonFileLogReader(file, query, pollInterval,
				new CopyOnWriteArrayList<>(sources));
		try {
			reader.position();
		}
		catch (IOException ex) {
			reader.close();
			throw ex;
		}
		return reader;
	}

	/**
	 * The next entry, or null at the end: the end of the log without {@code follow}; with it,
	 * after {@link #endFollow()} or {@link #close()}. Waits (polling) while following. Lines that
	 * are not log entries (torn by a crash) are skipped.
	 */
	public LogEntry next() throws IOException, InterruptedException {
		try {
			while (!this.finished && !this.closed) {
				boolean endRequested = this.ending;
				if (nextLine()) {
					LogEntry entry = JsonText.parse(this.buffer, this.lineFrom, this.lineTo);
					if (entry == null || (this.query.since() != null && entry.time().isBefore(this.query.since()))) {
						continue;
					}
					if (this.query.until() != null && entry.time().isAfter(this.query.until())) {
						this.finished = true;
						return null;
					}
					return entry;
				}
				if (!this.query.follow()) {
					break;
				}
				if (followRotation()) {
					continue;
				}
				if (endRequested) {
					break;
				}
				awaitPoll();
			}
		}
		catch (ClosedChannelException ex) {
			if (!this.closed) {
				throw ex;
			}
		}
		this.finished = true;
		return null;
	}

	/**
	 * Ends a follow once everything written so far has been returned: call it when the writer is
	 * done (the container has stopped). Any thread.
	 */
	public void endFollow() {
		this.ending = true;
		signal();
	}

	/** Closes the files; a {@link #next()} waiting in another thread returns null. */
	@Override
	public void close() {
		this.closed = true;
		signal();
		for (Source source : this.sources) {
			source.close();
		}
	}

	/** Moves to where {@code tail} says reading starts. */
	private void position() throws IOException {
		int tail = this.query.tail();
		this.current = 0;
		this.readPosition = 0;
		if (tail < 0 || this.sources.isEmpty()) {
			return;
		}
		// the start of the tail-th last complete line, counting backwards from the newest file
		byte[] chunk = new byte[8192];
		int needed = tail;
		for (int index = this.sources.size() - 1; index >= 0; index--) {
			FileChannel channel = this.sources.get(index).channel;
			long end = channel.size();
			int newlines = 0;
			while (end > 0) {
				int count = (int) Math.min(chunk.length, end);
				long from = end - count;
				readFully(channel, chunk, count, from);
				for (int i = count - 1; i >= 0; i--) {
					if (chunk[i] == '\n') {
						newlines++;
						// the newline ending the line before the first one wanted
						if (newlines == needed + 1) {
							this.current = index;
							this.readPosition = from + i + 1;
							return;
						}
					}
				}
				end = from;
			}
			needed -= newlines;
			if (needed <= 0 || index == 0) {
				this.current = index;
				this.readPosition = 0;
				return;
			}
		}
	}

	/** Finds the next complete line into {@code lineFrom..lineTo}; false at the end of the newest file. */
	private boolean nextLine() throws IOException {
		if (this.sources.isEmpty()) {
			return false;
		}
		int scanned = this.start;
		while (true) {
			int newline = -1;
			for (int i = scanned; i < this.limit; i++) {
				if (this.buffer[i] == '\n') {
					newline = i;
					break;
				}
			}
			if (newline >= 0) {
				if (this.skippingLongLine) {
					this.skippingLongLine = false;
					this.start = newline + 1;
					scanned = this.start;
					continue;
				}
				this.lineFrom = this.start;
				this.lineTo = newline;
				this.start = newline + 1;
				return true;
			}
			makeRoom();
			scanned = this.limit;
			FileChannel channel = this.sources.get(this.current).channel;
			int count = channel.read(ByteBuffer.wrap(this.buffer, this.limit, this.buffer.length - this.limit),
					this.readPosition);
			if (count > 0) {
				this.limit += count;
				this.readPosition += count;
				continue;
			}
			if (this.current < this.sources.size() - 1) {
				// an older file is complete: a torn line at its end is dropped
				this.sources.get(this.current).close();
				this.current++;
				this.readPosition = 0;
				this.start = 0;
				this.limit = 0;
				this.skippingLongLine = false;
				scanned = 0;
				continue;
			}
			return false;
		}
	}

	/** Room to read into, with no newline in the buffer: drop what is consumed, grow, or skip a huge line. */
	private void makeRoom() {
		if (this.skippingLongLine) {
			this.start = 0;
			this.limit = 0;
			return;
		}
		if (this.start > 0) {
			System.arraycopy(this.buffer, this.start, this.buffer, 0, this.limit - this.start);
			this.limit -= this.start;
			this.start = 0;
		}
		if (this.limit == this.buffer.length) {
			if (this.buffer.length >= MAX_LINE_BYTES) {
				this.skippingLongLine = true;
				this.limit = 0;
			}
			else {
				this.buffer = Arrays.copyOf(this.buffer, this.buffer.length * 2);
			}
		}
	}

	/**
	 * At the end of the newest file known: if {@code name-json.log} is another file now, the log
	 * rotated; queue the files newer than ours and return true (also when ours grew meanwhile).
	 */
	private boolean followRotation() throws IOException {
		if (this.sources.isEmpty()) {
			// no log yet: the container has not written, or the file is not created yet
			this.sources.addAll(openSources(this.file));
			if (this.closed) {
				this.sources.forEach(Source::close);
			}
			return !this.sources.isEmpty();
		}
		Source ours = this.sources.get(this.current);
		Object key = keyOf(this.file);
		if (key == null || Objects.equals(key, ours.key)) {
			return false;
		}
		// the writer may have added to ours between our last read and the rename
		if (ours.channel.size() > this.readPosition) {
			return true;
		}
		List<Source> all = openSources(this.file);
		int index = -1;
		for (int i = 0; i < all.size(); i++) {
			if (Objects.equals(all.get(i).key, ours.key)) {
				index = i;
			}
		}
		// ours is gone (rotated out): everything there is now is newer
		List<Source> newer = new ArrayList<>(all.subList(index + 1, all.size()));
		for (Source source : all.subList(0, index + 1)) {
			source.close();
		}
		if (newer.isEmpty()) {
			return false;
		}
		this.sources.addAll(newer);
		if (this.closed) {
			newer.forEach(Source::close);
		}
		return true;
	}

	private void awaitPoll() throws InterruptedException {
		this.lock.lock();
		try {
			if (!this.closed && !this.ending) {
				this.woken.awaitNanos(this.pollNanos);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void signal() {
		this.lock.lock();
		try {
			this.woken.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Opens every file of the log, oldest first, as one consistent set: if any name changed
	 * while opening (a rotation), it starts over.
	 */
	private static List<Source> openSources(Path file) throws IOException {
		for (int attempt = 1;; attempt++) {
			List<Path> paths = existing(file);
			List<Object> keys = keys(paths);
			List<Source> sources = new ArrayList<>();
			try {
				for (int i = 0; i < paths.size(); i++) {
					if (keys.get(i) != null) {
						sources.add(new Source(FileChannel.open(paths.get(i), StandardOpenOption.READ), keys.get(i)));
					}
				}
			}
			catch (NoSuchFileException ex) {
				// rotated away between the listing and the open
			}
			if (sources.size() == paths.size() && keys.equals(keys(existing(file)))) {
				return sources;
			}
			sources.forEach(Source::close);
			if (attempt == OPEN_ATTEMPTS) {
				throw new IOException("log " + file + " keeps rotating while being opened");
			}
			Thread.onSpinWait();
		}
	}

	/** {@code name.N} down to {@code name.1}, then {@code name}: the files that exist now. */
	private static List<Path> existing(Path file) {
		List<Path> paths = new ArrayList<>();
		int missing = 0;
		// one gap is tolerated: a rotation moves the files one by one
		for (int index = 1; missing < 2; index++) {
			Path path = JsonFileLog.rotated(file, index);
			if (Files.exists(path)) {
				paths.addFirst(path);
				missing = 0;
			}
			else {
				missing++;
			}
		}
		if (Files.exists(file)) {
			paths.add(file);
		}
		return paths;
	}

	private static List<Object> keys(List<Path> paths) {
		List<Object> keys = new ArrayList<>(paths.size());
		for (Path path : paths) {
			keys.add(keyOf(path));
		}
		return keys;
	}

	/** The file's identity (device and inode), which a rename keeps; null if it is gone. */
	private static Object keyOf(Path path) {
		try {
			return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static void readFully(FileChannel channel, byte[] into, int count, long position) throws IOException {
		ByteBuffer target = ByteBuffer.wrap(into, 0, count);
		while (target.hasRemaining()) {
			if (channel.read(target, position + target.position()) < 0) {
				throw new IOException("file shrank while reading");
			}
		}
	}

	/** Which entries to read, as {@code docker logs} takes them. */
	public record Query(int tail, Instant since, Instant until, boolean follow) {

		/** Every entry, no follow. */
		public static Query all() {
			return new Query(-1, null, null, false);
		}

		/** Only the last {@code tail} lines (negative: all). */
		public Query withTail(int tail) {
			return new Query(tail, this.since, this.until, this.follow);
		}

		public Query withSince(Instant since) {
			return new Query(this.tail, since, this.until, this.follow);
		}

		public Query withUntil(Instant until) {
			return new Query(this.tail, this.since, until, this.follow);
		}

		public Query withFollow(boolean follow) {
			return new Query(this.tail, this.since, this.until, follow);
		}

	}

	private record Source(FileChannel channel, Object key) {

		void close() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// read-only; nothing to lose
			}
		}

	}

}
