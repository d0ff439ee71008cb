package dev.berth.agent.snapshot;

import java.time.Instant;

/**
 * The times an entry's file gets.
 * @param access as Docker sets it: the archived access time, unless it is missing or before the
 * modification time, which it then equals
 */
record EntryTimes(Instant access, Instant modification) {

	static EntryTimes of(Instant modification, Instant access) {
		return new EntryTimes((access == null || access.isBefore(modification)) ? modification : access, modification);
	}

}
