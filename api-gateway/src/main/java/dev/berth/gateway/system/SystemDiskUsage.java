package dev.berth.gateway.system;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /system/df}: swagger's SystemDataUsageResponse. A part the client did not ask for ({@code type}, API
 * 1.42) is left out. Volumes and the build cache are empty until engine-service has them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SystemDiskUsage(@JsonProperty("LayersSize") Long layersSize, @JsonProperty("Images") List<Object> images,
		@JsonProperty("Containers") List<JsonNode> containers, @JsonProperty("Volumes") List<Object> volumes,
		@JsonProperty("BuildCache") List<Object> buildCache) {
}
