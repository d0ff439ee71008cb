package dev.berth.gateway.container;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /containers/create}: swagger's ContainerCreateResponse. */
record ContainerCreateResponse(@JsonProperty("Id") String id, @JsonProperty("Warnings") List<String> warnings) {
}
