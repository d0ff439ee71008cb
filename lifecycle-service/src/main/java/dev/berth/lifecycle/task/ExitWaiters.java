package dev.berth.lifecycle.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Who waits for a container to exit or to go away: {@code docker wait}, {@code docker stop},
 * {@code docker run}'s exit code. Waiters register before they look at the state, so an exit
 * between the look and the registration is not missed.
 */
@Component
public class ExitWaiters {

	/** How a wait ended: the exit code, or an error Docker reports in the wait body. */
	public record Outcome(long statusCode, String error) {
	}

	private final Map<String, List<CompletableFuture<Outcome>>> nextExit = new ConcurrentHashMap<>();

	private final Map<String, List<CompletableFuture<Outcome>>> removal = new ConcurrentHashMap<>();

	CompletableFuture<Outcome> nextExit(String id) {
		return register(this.nextExit, id);
	}

	CompletableFuture<Outcome> removal(String id) {
		return register(this.removal, id);
	}

	void exited(String id, long statusCode) {
		complete(this.nextExit, id, new Outcome(statusCode, ""));
	}

	/** The container is gone: removal waiters get its last exit code, exit waiters too. */
	void removed(String id, long statusCode) {
		complete(this.nextExit, id, new Outcome(statusCode, ""));
		complete(this.removal, id, new Outcome(statusCode, ""));
	}

	void forget(String id, CompletableFuture<Outcome> waiter) {
		for (Map<String, List<CompletableFuture<Outcome>>> waiters : List.of(this.nextExit, this.removal)) {
			waiters.computeIfPresent(id, (key, list) -> {
				list.remove(waiter);
				return list.isEmpty() ? null : list;
			});
		}
	}

	private static CompletableFuture<Outcome> register(Map<String, List<CompletableFuture<Outcome>>> waiters,
			String id) {
		CompletableFuture<Outcome> waiter = new CompletableFuture<>();
		waiters.compute(id, (key, list) -> {
			List<CompletableFuture<Outcome>> updated = (list != null) ? list : new ArrayList<>();
			updated.add(waiter);
			return updated;
		});
		return waiter;
	}

	private static void complete(Map<String, List<CompletableFuture<Outcome>>> waiters, String id, Outcome outcome) {
		List<CompletableFuture<Outcome>> list = waiters.remove(id);
		if (list != null) {
			list.forEach((waiter) -> waiter.complete(outcome));
		}
	}

}
