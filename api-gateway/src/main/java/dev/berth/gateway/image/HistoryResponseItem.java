package dev.berth.gateway.image;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An entry of {@code GET /images/{name}/history}, newest first. */
record HistoryResponseItem(@JsonProperty("Id") String id, @JsonProperty("Created") long created,
		@JsonProperty("CreatedBy") String createdBy, @JsonProperty("Tags") List<String> tags,
		@JsonProperty("Size") long size, @JsonProperty("Comment") String comment) {
}
