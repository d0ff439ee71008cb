package dev.berth.lifecycle.task;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.berth.contracts.agent.v1.PreparedSnapshot;

/**
 * The root filesystem a container's node prepared at create, kept for the container's first
 * start: that start then needs neither the image resolved again (a call to engine-service) nor
 * the snapshot prepared again (a call to the node), which {@code docker run} paid twice. Later
 * starts, and a first start after this service restarted, prepare it as before (preparing an
 * existing snapshot is idempotent). Bounded: a container created and never started gives its
 * place up to newer ones after {@link #CAPACITY}.
 */
@Component
class CreatedSnapshots {

	/** A prepared snapshot is one overlay mount, a few hundred bytes. */
	static final int CAPACITY = 4096;

	private final Map<String, PreparedSnapshot> snapshots = new LinkedHashMap<>() {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, PreparedSnapshot> eldest) {
			return size() > CAPACITY;
		}

	};

	synchronized void created(String containerId, PreparedSnapshot snapshot) {
		this.snapshots.put(containerId, snapshot);
	}

	/** The snapshot prepared at create, once: a second call finds nothing. */
	synchronized Optional<PreparedSnapshot> takeForFirstStart(String containerId) {
		return Optional.ofNullable(this.snapshots.remove(containerId));
	}

}
