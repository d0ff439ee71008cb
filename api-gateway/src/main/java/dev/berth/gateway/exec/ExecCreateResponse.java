package dev.berth.gateway.exec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /containers/{id}/exec}: swagger's IDResponse. */
record ExecCreateResponse(@JsonProperty("Id") String id) {
}
