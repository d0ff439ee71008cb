package dev.berth.gateway.container;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /containers/{id}/top}: swagger's ContainerTopResponse, one list of ps fields per process. */
record ContainerTopResponse(@JsonProperty("Titles") List<String> titles,
		@JsonProperty("Processes") List<List<String>> processes) {
}
