package dev.berth.gateway.container;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of {@code POST /containers/{id}/wait}: swagger's ContainerWaitResponse. {@code Error} is always written,
 * {@code null} when the wait went well, as dockerd writes it.
 */
record ContainerWaitResponse(@JsonProperty("StatusCode") long statusCode, @JsonProperty("Error") WaitExitError error) {

	record WaitExitError(@JsonProperty("Message") String message) {
	}

}
