package dev.berth.agent;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import dev.berth.agent.filesystem.NoSuchPathException;
import dev.berth.agent.snapshot.SnapshotException;
import dev.berth.agent.snapshot.SnapshotExistsException;
import dev.berth.runtime.container.ContainerException;
import dev.berth.runtime.container.ContainerExistsException;
import dev.berth.runtime.container.ContainerNotFoundException;
import dev.berth.runtime.container.ContainerStateException;
import dev.berth.runtime.linux.SyscallException;
import dev.berth.runtime.shim.ShimException;
import dev.berth.runtime.spec.SpecException;

/** The one place where an agent failure becomes a gRPC status, for every service the agent serves. */
public final class AgentErrors {

	private AgentErrors() {
	}

	public static StatusRuntimeException toStatus(Throwable ex) {
		Status status = switch (ex) {
			case ShimException shim -> switch (shim.kind()) {
				case NOT_FOUND -> Status.NOT_FOUND;
				case INVALID -> Status.INVALID_ARGUMENT;
				case CONFLICT -> Status.FAILED_PRECONDITION;
				case EXISTS -> Status.ALREADY_EXISTS;
				case FAILED -> Status.INTERNAL;
			};
			case NoSuchContainerException ignored -> Status.NOT_FOUND;
			case NoSuchPathException ignored -> Status.NOT_FOUND;
			case SnapshotExistsException ignored -> Status.ALREADY_EXISTS;
			case SnapshotException ignored -> Status.INVALID_ARGUMENT;
			case ContainerNotFoundException ignored -> Status.NOT_FOUND;
			case ContainerExistsException ignored -> Status.ALREADY_EXISTS;
			case ContainerStateException ignored -> Status.FAILED_PRECONDITION;
			case SpecException ignored -> Status.INVALID_ARGUMENT;
			case IllegalArgumentException ignored -> Status.INVALID_ARGUMENT;
			case ContainerException ignored -> Status.FAILED_PRECONDITION;
			case SyscallException ignored -> Status.INTERNAL;
			default -> Status.INTERNAL;
		};
		return status.withDescription(ex.getMessage()).asRuntimeException();
	}

}
