package dev.berth.gateway.container;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /commit}: swagger's IDResponse, the new image's ID. */
record CommitResponse(@JsonProperty("Id") String id) {
}
