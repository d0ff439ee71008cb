package dev.berth.engine;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import dev.berth.engine.content.BlobNotFoundException;
import dev.berth.engine.content.ContentException;
import dev.berth.engine.image.ImageConflictException;
import dev.berth.engine.image.ImageNotFoundException;
import dev.berth.engine.image.InvalidImageException;
import dev.berth.engine.registry.RegistryException;

/**
 * The one place where an engine failure becomes a gRPC status, which the gateway turns into
 * Docker's HTTP status: NOT_FOUND 404, INVALID_ARGUMENT 400, FAILED_PRECONDITION 409,
 * UNAUTHENTICATED 401, UNAVAILABLE 502/503, INTERNAL 500.
 */
public final class EngineErrors {

	private EngineErrors() {
	}

	public static StatusRuntimeException toStatus(Throwable ex) {
		Status status = switch (ex) {
			case ImageNotFoundException ignored -> Status.NOT_FOUND;
			case BlobNotFoundException ignored -> Status.NOT_FOUND;
			case ImageConflictException ignored -> Status.FAILED_PRECONDITION;
			case RegistryException registry -> switch (registry.kind()) {
				case NOT_FOUND -> Status.NOT_FOUND;
				case UNAUTHORIZED -> Status.UNAUTHENTICATED;
				case INVALID -> Status.INVALID_ARGUMENT;
				case UNAVAILABLE -> Status.UNAVAILABLE;
			};
			case InvalidImageException ignored -> Status.INVALID_ARGUMENT;
			case IllegalArgumentException ignored -> Status.INVALID_ARGUMENT;
			case ContentException ignored -> Status.INTERNAL;
			default -> Status.INTERNAL;
		};
		return status.withDescription(ex.getMessage()).asRuntimeException();
	}

}
