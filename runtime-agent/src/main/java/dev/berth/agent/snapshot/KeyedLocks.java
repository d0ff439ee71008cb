package dev.berth.agent.snapshot;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * One lock per key (a chain ID), held only while someone holds or waits for it: a long-running
 * agent does not keep a lock for every layer it ever unpacked.
 */
final class KeyedLocks {

	private final Map<String, Entry> entries = new HashMap<>();

	void acquire(String key) {
		Entry entry;
		synchronized (this.entries) {
			entry = this.entries.computeIfAbsent(key, (k) -> new Entry());
			entry.users++;
		}
		entry.semaphore.acquireUninterruptibly();
	}

	void release(String key) {
		synchronized (this.entries) {
			Entry entry = this.entries.get(key);
			entry.semaphore.release();
			if (--entry.users == 0) {
				this.entries.remove(key);
			}
		}
	}

	private static final class Entry {

		final Semaphore semaphore = new Semaphore(1);

		int users;

	}

}
