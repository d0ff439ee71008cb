package dev.berth.lifecycle.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.springframework.stereotype.Component;

import dev.berth.contracts.agent.v1.SnapshotUsage;
import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.NotFoundException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.event.EventLog;

/**
 * {@code POST /containers/prune}: every container that is not running and that the filters select is
 * removed; the space reclaimed is their writable layers' size, as dockerd counts it.
 */
@Component
public class ContainerPrune {

	private final ContainerStore store;

	private final Containers containers;

	private final ContainerFilesystems filesystems;

	private final EventLog events;

	ContainerPrune(ContainerStore store, Containers containers, ContainerFilesystems filesystems, EventLog events) {
		this.store = store;
		this.containers = containers;
		this.filesystems = filesystems;
		this.events = events;
	}

	/** What a prune removed: the containers' IDs and their writable layers' bytes. */
	public record Pruned(List<String> deleted, long spaceReclaimed) {
	}

	public Pruned prune(Predicate<Container> selected) {
		List<Container> candidates = this.store.list()
			.stream()
			.filter((container) -> !Containers.isUp(container.state().status()))
			.filter(selected)
			.toList();
		Map<String, SnapshotUsage> sizes = this.filesystems.usage(candidates);
		List<String> deleted = new ArrayList<>();
		long reclaimed = 0;
		for (Container container : candidates) {
			try {
				this.containers.remove(container.id(), false);
			}
			catch (ConflictException | NotFoundException ex) {
				// started, or removed, since the list was taken: not this prune's to remove
				continue;
			}
			deleted.add(container.id());
			SnapshotUsage size = sizes.get(container.id());
			reclaimed += (size != null) ? size.getSizeRw() : 0;
		}
		this.events.publish("container", "prune", "", Map.of("reclaimed", Long.toString(reclaimed)));
		return new Pruned(deleted, reclaimed);
	}

}
