package dev.berth.lifecycle.task;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

/**
 * One lock per container, held while a transition talks to the node (start, an exit, remove), so
 * that an exit cannot be recorded in the middle of a start, nor a remove race a restart. Waiting
 * for an exit is never done under it.
 */
@Component
class ContainerLocks {

	private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

	<T> T with(String id, Supplier<T> action) {
		ReentrantLock lock = this.locks.computeIfAbsent(id, (key) -> new ReentrantLock());
		lock.lock();
		try {
			return action.get();
		}
		finally {
			lock.unlock();
		}
	}

	void forget(String id) {
		this.locks.remove(id);
	}

}
