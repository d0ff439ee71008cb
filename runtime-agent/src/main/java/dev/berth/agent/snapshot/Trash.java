package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Removes directory trees off the caller's path: {@link #discard} moves a tree into a trash
 * directory on the same filesystem (one rename) and one background thread removes it from there
 * ({@link TreeRemoval}, following no link). A container's writable layer costs 8–16 ms to delete
 * on a journaling filesystem, which {@code docker rm} and {@code docker run --rm} used to wait for;
 * containerd's snapshotter leaves that work to its garbage collector too. What a crash leaves in
 * the trash is removed when the next one opens it.
 */
public final class Trash implements AutoCloseable {

	private static final System.Logger log = System.getLogger(Trash.class.getName());

	private final Path directory;

	private final ExecutorService remover;

	private final AtomicLong sequence = new AtomicLong();

	/** Names in the trash stay unique across restarts, whose leftovers may still be there. */
	private final String opened = Long.toString(System.currentTimeMillis(), 36);

	/** Opens (creating it) the trash at {@code directory} and removes whatever is left in it. */
	public Trash(Path directory) {
		this.directory = directory;
		try {
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create the trash directory " + directory, ex);
		}
		this.remover = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("berth-trash").factory());
		try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory)) {
			for (Path leftover : leftovers) {
				this.remover.execute(() -> remove(leftover));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot list the trash directory " + directory, ex);
		}
	}

	/**
	 * Takes {@code tree} away at once and removes it in the background; nothing there is fine. A
	 * tree on another filesystem than the trash, which a rename cannot move, is removed here.
	 */
	public void discard(Path tree) throws IOException {
		Path target = this.directory.resolve(tree.getFileName() + "-" + this.opened + "-" + this.sequence.incrementAndGet());
		try {
			Files.move(tree, target, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (NoSuchFileException ex) {
			return;
		}
		catch (AtomicMoveNotSupportedException ex) {
			TreeRemoval.removeTree(tree);
			return;
		}
		this.remover.execute(() -> remove(target));
	}

	/** Waits until everything discarded so far is removed. */
	public void drain() {
		try {
			this.remover.submit(() -> {
			}).get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	/** Stops removing; what is still in the trash is removed when it is next opened. */
	@Override
	public void close() {
		this.remover.shutdownNow();
	}

	private static void remove(Path tree) {
		try {
			TreeRemoval.removeTree(tree);
		}
		catch (IOException | RuntimeException ex) {
			log.log(System.Logger.Level.WARNING, "cannot remove " + tree + " from the trash (removed again at the next start): "
					+ ex.getMessage());
		}
	}

}
