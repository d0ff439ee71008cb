package dev.berth.lifecycle.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.NotFoundException;
import dev.berth.lifecycle.spec.UnsupportedFeatureException;

/**
 * The one place a lifecycle failure becomes a gRPC status; the gateway turns those into Docker's
 * 404, 409, 400 and 500, and the message travels unchanged. A node's own status passes through.
 */
final class LifecycleErrors {

	private static final Logger logger = LoggerFactory.getLogger(LifecycleErrors.class);

	private LifecycleErrors() {
	}

	static StatusRuntimeException toStatus(Throwable ex) {
		Status status = switch (ex) {
			case NotFoundException ignored -> Status.NOT_FOUND;
			case ConflictException ignored -> Status.FAILED_PRECONDITION;
			case InvalidArgumentException ignored -> Status.INVALID_ARGUMENT;
			// Docker would do it; this engine cannot yet
			case UnsupportedFeatureException ignored -> Status.UNIMPLEMENTED;
			case StatusRuntimeException grpc -> grpc.getStatus();
			default -> {
				logger.error("lifecycle operation failed", ex);
				yield Status.INTERNAL;
			}
		};
		if (ex instanceof StatusRuntimeException grpc) {
			return grpc.getStatus().asRuntimeException();
		}
		return status.withDescription(ex.getMessage()).asRuntimeException();
	}

}
