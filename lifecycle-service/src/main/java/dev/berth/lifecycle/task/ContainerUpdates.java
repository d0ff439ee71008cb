package dev.berth.lifecycle.task;

import java.util.List;
import java.util.Map;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.UpdateRequest;
import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerStatus;
import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.container.HostConfig;
import dev.berth.lifecycle.event.EventLog;
import dev.berth.lifecycle.node.Nodes;

/**
 * {@code POST /containers/{id}/update}: new cgroup limits and restart policy. The request's set
 * fields replace the container's, under dockerd's rules; the record changes first, and a running
 * container's cgroups follow at once (a stopped one gets them at its next start). When the node
 * refuses the limits, the record goes back to what it was.
 */
@Component
public class ContainerUpdates {

	private final ContainerStore store;

	private final Nodes nodes;

	private final RuntimeSpecs specs;

	private final ContainerLocks locks;

	private final EventLog events;

	ContainerUpdates(ContainerStore store, Nodes nodes, RuntimeSpecs specs, ContainerLocks locks, EventLog events) {
		this.store = store;
		this.nodes = nodes;
		this.specs = specs;
		this.locks = locks;
		this.events = events;
	}

	/**
	 * @param body Docker's UpdateConfig: the Resources fields and RestartPolicy
	 * @return Docker's warnings about limits this host drops
	 */
	public List<String> update(String reference, ObjectNode body) {
		HostConfig requested = HostConfig.read(body);
		RestartPolicies.verify(requested.restartPolicy());
		List<String> warnings = this.specs.verifyUpdate(requested);
		Container container = this.store.get(reference);
		Container updated = this.locks.with(container.id(), () -> apply(container.id(), body, requested));
		this.events.publishContainer(updated, "update", Map.of());
		return warnings;
	}

	private Container apply(String id, ObjectNode body, HostConfig requested) {
		Container container = this.store.get(id);
		ContainerStatus status = container.state().status();
		if (status == ContainerStatus.REMOVING || status == ContainerStatus.DEAD) {
			throw cannotUpdate(container, "container is marked for removal and cannot be \"update\"");
		}
		ObjectNode merged = merge(container, body, requested);
		Container updated = this.store.replaceHostConfig(id, merged);
		if (status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED) {
			try {
				this.nodes.get(container.node())
					.tasks()
					.update(UpdateRequest.newBuilder()
						.setContainerId(id)
						.setResources(this.specs.nodeResources(updated))
						.build());
			}
			catch (StatusRuntimeException ex) {
				this.store.replaceHostConfig(id, container.hostConfigJson());
				// dockerd answers 500 when its runtime refuses the limits
				throw Status.INTERNAL
					.withDescription("Cannot update container " + id + ": " + ex.getStatus().getDescription())
					.withCause(ex)
					.asRuntimeException();
			}
		}
		return updated;
	}

	/**
	 * The container's HostConfig with the request's set fields over it. A CPU limit of one kind
	 * cannot replace one of the other kind, and a memory limit above the swap limit needs a new swap
	 * limit with it: both as dockerd refuses them.
	 */
	static ObjectNode merge(Container container, ObjectNode body, HostConfig requested) {
		HostConfig current = container.hostConfig();
		if (requested.nanoCpus() > 0 && current.cpuPeriod() > 0) {
			throw cannotUpdate(container, "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set");
		}
		if (requested.nanoCpus() > 0 && current.cpuQuota() > 0) {
			throw cannotUpdate(container, "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set");
		}
		if (requested.cpuPeriod() > 0 && current.nanoCpus() > 0) {
			throw cannotUpdate(container, "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
		}
		if (requested.cpuQuota() > 0 && current.nanoCpus() > 0) {
			throw cannotUpdate(container, "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
		}
		if (requested.memory() != 0 && requested.memorySwap() == 0 && requested.memory() > current.memorySwapInForce()) {
			throw cannotUpdate(container, "Memory limit should be smaller than already set memoryswap limit, "
					+ "update the memoryswap at the same time");
		}
		HostConfig.RestartPolicy policy = requested.restartPolicy();
		boolean newPolicy = policy != null && policy.name() != null && !policy.name().isEmpty();
		if (newPolicy && current.autoRemove() && !policy.isNone()) {
			throw cannotUpdate(container, "Restart policy cannot be updated because AutoRemove is enabled for the container");
		}
		ObjectNode merged = container.hostConfigJson().deepCopy();
		// zero, empty and absent all mean "unchanged", as in dockerd's UpdateContainer
		for (String field : List.of("BlkioWeight", "CpuShares", "NanoCpus", "CpuPeriod", "CpuQuota", "Memory",
				"MemorySwap", "MemoryReservation", "KernelMemory", "CpuRealtimePeriod", "CpuRealtimeRuntime")) {
			if (body.path(field).asLong(0) != 0) {
				merged.set(field, body.get(field));
			}
		}
		for (String field : List.of("CpusetCpus", "CpusetMems")) {
			if (!body.path(field).asString("").isEmpty()) {
				merged.set(field, body.get(field));
			}
		}
		if (body.hasNonNull("PidsLimit")) {
			merged.set("PidsLimit", body.get("PidsLimit"));
		}
		if (newPolicy) {
			merged.set("RestartPolicy", body.get("RestartPolicy"));
		}
		if (requested.memory() != 0 && requested.memorySwap() == 0 && current.memorySwap() == 0
				&& current.memory() > 0) {
			// a record from before create stored the default: the swap limit in force stays with a new memory limit
			merged.put("MemorySwap", current.memorySwapInForce());
		}
		return merged;
	}

	private static ConflictException cannotUpdate(Container container, String reason) {
		return new ConflictException("Cannot update container " + container.id() + ": " + reason);
	}

}
