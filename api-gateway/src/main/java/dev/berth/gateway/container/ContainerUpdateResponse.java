package dev.berth.gateway.container;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /containers/{id}/update}: swagger's ContainerUpdateResponse. */
record ContainerUpdateResponse(@JsonProperty("Warnings") List<String> warnings) {
}
