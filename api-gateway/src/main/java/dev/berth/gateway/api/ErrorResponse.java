package dev.berth.gateway.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Docker's error body, swagger's ErrorResponse. */
public record ErrorResponse(@JsonProperty("message") String message) {
}
