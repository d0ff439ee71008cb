package dev.berth.gateway.image;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /images/{name}/json}, swagger's ImageInspect; {@code Config} is the image config's own, unchanged.
 * {@code Container} and {@code ContainerConfig} are null (left out) from API 1.45 on, as dockerd leaves them out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ImageInspect(@JsonProperty("Id") String id, @JsonProperty("RepoTags") List<String> repoTags,
		@JsonProperty("RepoDigests") List<String> repoDigests, @JsonProperty("Parent") String parent,
		@JsonProperty("Comment") String comment, @JsonProperty("Created") String created,
		@JsonProperty("Container") String container, @JsonProperty("ContainerConfig") JsonNode containerConfig,
		@JsonProperty("DockerVersion") String dockerVersion, @JsonProperty("Author") String author,
		@JsonProperty("Config") JsonNode config, @JsonProperty("Architecture") String architecture,
		@JsonProperty("Variant") String variant, @JsonProperty("Os") String os,
		@JsonProperty("OsVersion") String osVersion, @JsonProperty("Size") long size,
		@JsonProperty("VirtualSize") Long virtualSize, @JsonProperty("GraphDriver") GraphDriver graphDriver,
		@JsonProperty("RootFS") RootFs rootFs, @JsonProperty("Metadata") Metadata metadata) {

	record GraphDriver(@JsonProperty("Name") String name, @JsonProperty("Data") Map<String, String> data) {
	}

	record RootFs(@JsonProperty("Type") String type, @JsonProperty("Layers") List<String> layers) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Metadata(@JsonProperty("LastTagTime") String lastTagTime) {
	}

}
