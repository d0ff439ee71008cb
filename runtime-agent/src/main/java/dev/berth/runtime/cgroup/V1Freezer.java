package dev.berth.runtime.cgroup;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The v1 freezer. Writing {@code FROZEN} only starts freezing: the state reads {@code FREEZING}
 * until every task has stopped, and a task that forks meanwhile can need the write again, so it is
 * repeated while waiting.
 */
final class V1Freezer {

	static final String STATE = "freezer.state";

	private final CgroupFiles files;

	V1Freezer(CgroupFiles files) {
		this.files = files;
	}

	void freeze(Path dir, Duration timeout) {
		Path state = dir.resolve(STATE);
		boolean frozen = AbstractCgroupManager.await(() -> {
			this.files.write(state, "FROZEN");
			return isFrozen(dir);
		}, timeout);
		if (!frozen) {
			String last = this.files.read(state).strip();
			thaw(dir, timeout);
			throw new CgroupException(STATE + ": cannot write FROZEN: still " + last + " after "
					+ timeout.toMillis() + " ms, thawed again", state);
		}
	}

	void thaw(Path dir, Duration timeout) {
		Path state = dir.resolve(STATE);
		boolean thawed = AbstractCgroupManager.await(() -> {
			this.files.write(state, "THAWED");
			return this.files.read(state).strip().equals("THAWED");
		}, timeout);
		if (!thawed) {
			throw new CgroupException(STATE + ": cannot write THAWED: still " + this.files.read(state).strip()
					+ " after " + timeout.toMillis() + " ms", state);
		}
	}

	boolean isFrozen(Path dir) {
		return this.files.read(dir.resolve(STATE)).strip().equals("FROZEN");
	}

}
