package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the v1 and v2 managers share: creating a cgroup path level by level, removing it with what
 * the container nested below it, and listing processes.
 */
abstract class AbstractCgroupManager implements CgroupManager {

	private static final int CREATE_ATTEMPTS = 5;

	private static final long POLL_MILLIS = 10;

	final CgroupPath cgroupPath;

	final CgroupFiles files;

	/**
	 * The directories this manager created, ancestors included: the only parents
	 * {@link #destroy()} removes, so that a {@code /berth} an administrator made (maybe with limits
	 * for all containers) stays.
	 */
	private final Set<Path> created = ConcurrentHashMap.newKeySet();

	private volatile Duration freezeTimeout = Duration.ofSeconds(5);

	private volatile Duration removeTimeout = Duration.ofSeconds(5);

	AbstractCgroupManager(CgroupPath cgroupPath, CgroupFiles files) {
		this.cgroupPath = cgroupPath;
		this.files = files;
	}

	void setTimeouts(Duration freezeTimeout, Duration removeTimeout) {
		this.freezeTimeout = freezeTimeout;
		this.removeTimeout = removeTimeout;
	}

	Duration freezeTimeout() {
		return this.freezeTimeout;
	}

	/**
	 * Creates the cgroup under a hierarchy's root one level at a time, calling {@code eachLevel}
	 * for every directory from the root down to the cgroup once it exists and before its child is
	 * made. Starts over if another container's {@link #destroy()} removes a shared parent meanwhile.
	 *
	 * @return the cgroup's directory
	 */
	Path create(Path root, Consumer<Path> eachLevel) {
		Path leaf = this.cgroupPath.in(root);
		for (int attempt = 1;; attempt++) {
			Path dir = root;
			try {
				eachLevel.accept(dir);
				for (Path name : root.relativize(leaf)) {
					dir = dir.resolve(name);
					if (this.files.createDirectory(dir)) {
						this.created.add(dir);
					}
					eachLevel.accept(dir);
				}
				return leaf;
			}
			catch (NoSuchFileException ex) {
				if (attempt == CREATE_ATTEMPTS) {
					throw CgroupException.cannot("create", dir, ex);
				}
			}
			catch (IOException ex) {
				throw CgroupException.cannot("create", dir, ex);
			}
		}
	}

	/**
	 * Removes the cgroup from one hierarchy: first the cgroups below it, deepest first, then the
	 * cgroup, retrying until the deadline while killed processes exit; then the parents this
	 * manager created, as long as they are empty.
	 *
	 * @param deadline a {@link System#nanoTime()} after which a busy cgroup is an error
	 */
	void remove(Path root, long deadline) {
		Path leaf = this.cgroupPath.in(root);
		removeTree(leaf, deadline);
		this.created.remove(leaf);
		for (Path dir = leaf.getParent(); dir != null && !dir.equals(root) && dir.startsWith(root); dir = dir
			.getParent()) {
			if (!this.created.contains(dir)) {
				return;
			}
			try {
				this.files.rmdir(dir);
			}
			catch (NoSuchFileException ex) {
				// another container's manager was first
			}
			catch (IOException ex) {
				// still has other containers: theirs to remove
				return;
			}
			this.created.remove(dir);
		}
	}

	long removeDeadline() {
		return System.nanoTime() + this.removeTimeout.toNanos();
	}

	private void removeTree(Path dir, long deadline) {
		for (Path child : this.files.children(dir)) {
			removeTree(child, deadline);
		}
		while (true) {
			try {
				this.files.rmdir(dir);
				return;
			}
			catch (NoSuchFileException ex) {
				return;
			}
			catch (IOException ex) {
				if (System.nanoTime() - deadline > 0) {
					throw CgroupException.cannot("remove", dir, ex);
				}
				pause();
			}
		}
	}

	/**
	 * The processes in a cgroup and the cgroups below it.
	 */
	List<Long> pids(Path dir) {
		List<Long> pids = new ArrayList<>();
		collectPids(dir, pids);
		return pids;
	}

	private void collectPids(Path dir, List<Long> pids) {
		String procs = this.files.readIfPresent(dir.resolve("cgroup.procs"));
		if (procs == null) {
			return;
		}
		for (String line : procs.split("\n")) {
			if (!line.isBlank()) {
				pids.add(Long.parseLong(line.strip()));
			}
		}
		for (Path child : this.files.children(dir)) {
			collectPids(child, pids);
		}
	}

	/**
	 * Polls a condition until it holds or the timeout passes.
	 *
	 * @return whether the condition held
	 */
	static boolean await(BooleanSupplier condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			pause();
		}
		return true;
	}

	private static void pause() {
		try {
			Thread.sleep(POLL_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CgroupException("interrupted while waiting for the kernel", null, ex);
		}
	}

	static void checkPid(long pid) {
		if (pid <= 0) {
			throw new IllegalArgumentException("pid: must be positive, got " + pid);
		}
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + " " + this.cgroupPath;
	}

}
