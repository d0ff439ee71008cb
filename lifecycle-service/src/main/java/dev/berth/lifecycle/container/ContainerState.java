package dev.berth.lifecycle.container;

import java.time.Instant;

/**
 * Swagger's {@code ContainerState}, the part of a container that changes as it runs. Null times
 * mean "never" (Docker prints them as {@code 0001-01-01T00:00:00Z}).
 */
public record ContainerState(ContainerStatus status, int pid, int exitCode, String error, Instant startedAt,
		Instant finishedAt, boolean oomKilled, int restartCount) {

	public ContainerState {
		if (status == null) {
			throw new IllegalArgumentException("status is required");
		}
		error = (error != null) ? error : "";
	}

	/** A container that was created and never started. */
	public static ContainerState created() {
		return new ContainerState(ContainerStatus.CREATED, 0, 0, "", null, null, false, 0);
	}

}
