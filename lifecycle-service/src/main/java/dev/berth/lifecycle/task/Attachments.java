package dev.berth.lifecycle.task;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.berth.lifecycle.node.Node;

/**
 * The sessions attached to containers, so that a start connects the ones that came before it
 * ({@code docker run} attaches, then starts) and a removal ends them.
 */
@Component
class Attachments {

	private final Map<String, Set<AttachSession>> sessions = new ConcurrentHashMap<>();

	void add(AttachSession session) {
		this.sessions.computeIfAbsent(session.containerId(), (id) -> ConcurrentHashMap.newKeySet()).add(session);
	}

	void remove(AttachSession session) {
		this.sessions.computeIfPresent(session.containerId(), (id, set) -> {
			set.remove(session);
			return set.isEmpty() ? null : set;
		});
	}

	/** Before the start signal: every session waiting for this container gets its stream. */
	void connectWaiting(String containerId, Node node) {
		for (AttachSession session : snapshot(containerId)) {
			session.connect(node);
		}
	}

	/** The container is gone or could not start: sessions that never reached it end. */
	void endWaiting(String containerId) {
		for (AttachSession session : snapshot(containerId)) {
			session.endUnconnected();
		}
	}

	private List<AttachSession> snapshot(String containerId) {
		Set<AttachSession> set = this.sessions.get(containerId);
		return (set != null) ? List.copyOf(set) : List.of();
	}

}
