package dev.berth.gateway.system;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /version}: swagger's SystemVersion. The CLI prints the server half of {@code docker version} from it. */
record SystemVersion(@JsonProperty("Platform") Platform platform,
		@JsonProperty("Components") List<Component> components, @JsonProperty("Version") String version,
		@JsonProperty("ApiVersion") String apiVersion, @JsonProperty("MinAPIVersion") String minApiVersion,
		@JsonProperty("GitCommit") String gitCommit, @JsonProperty("GoVersion") String goVersion,
		@JsonProperty("Os") String os, @JsonProperty("Arch") String arch,
		@JsonProperty("KernelVersion") String kernelVersion, @JsonProperty("BuildTime") String buildTime) {

	record Platform(@JsonProperty("Name") String name) {
	}

	record Component(@JsonProperty("Name") String name, @JsonProperty("Version") String version,
			@JsonProperty("Details") Map<String, String> details) {
	}

}
