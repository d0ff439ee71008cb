package dev.berth.agent.task;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import dev.berth.runtime.container.ContainerException;
import dev.berth.runtime.container.ContainerNotFoundException;
import dev.berth.runtime.linux.SyscallException;
import dev.berth.runtime.shim.ShimException;
import dev.berth.runtime.spec.SpecException;

/** The one place where a failure becomes a gRPC status. */
final class TaskErrors {

	private TaskErrors() {
	}

	static StatusRuntimeException toStatus(Throwable ex) {
		Status status = switch (ex) {
			case ShimException shim -> switch (shim.kind()) {
				case NOT_FOUND -> Status.NOT_FOUND;
				case INVALID -> Status.INVALID_ARGUMENT;
				case CONFLICT -> Status.FAILED_PRECONDITION;
				case FAILED -> Status.INTERNAL;
			};
			case ContainerNotFoundException ignored -> Status.NOT_FOUND;
			case SpecException ignored -> Status.INVALID_ARGUMENT;
			case IllegalArgumentException ignored -> Status.INVALID_ARGUMENT;
			case IllegalStateException ise when String.valueOf(ise.getMessage()).startsWith("container with id exists") ->
				Status.ALREADY_EXISTS;
			case ContainerException ignored -> Status.FAILED_PRECONDITION;
			case SyscallException ignored -> Status.INTERNAL;
			default -> Status.INTERNAL;
		};
		if (ex instanceof ShimException shim && shim.getMessage().startsWith("container with id exists")) {
			status = Status.ALREADY_EXISTS;
		}
		return status.withDescription(ex.getMessage()).asRuntimeException();
	}

}
