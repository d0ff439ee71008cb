package dev.berth.lifecycle.container;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Swagger's {@code ContainerConfig}: what runs, and how its stdio is wired. A null list or map
 * means the client left it out, which is not the same as empty: a null Cmd, Entrypoint or Env
 * takes the image's, an empty one overrides it.
 */
public record ContainerConfig(
		@JsonProperty("Hostname") String hostname,
		@JsonProperty("Domainname") String domainname,
		@JsonProperty("User") String user,
		@JsonProperty("AttachStdin") boolean attachStdin,
		@JsonProperty("AttachStdout") boolean attachStdout,
		@JsonProperty("AttachStderr") boolean attachStderr,
		// the values are empty objects: Docker uses a map as a set
		@JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
		@JsonProperty("Tty") boolean tty,
		@JsonProperty("OpenStdin") boolean openStdin,
		@JsonProperty("StdinOnce") boolean stdinOnce,
		@JsonProperty("Env") List<String> env,
		@JsonProperty("Cmd") List<String> cmd,
		@JsonProperty("Healthcheck") HealthConfig healthcheck,
		@JsonProperty("ArgsEscaped") boolean argsEscaped,
		@JsonProperty("Image") String image,
		@JsonProperty("Volumes") Map<String, Object> volumes,
		@JsonProperty("WorkingDir") String workingDir,
		@JsonProperty("Entrypoint") List<String> entrypoint,
		@JsonProperty("NetworkDisabled") boolean networkDisabled,
		@JsonProperty("OnBuild") List<String> onBuild,
		@JsonProperty("Labels") Map<String, String> labels,
		@JsonProperty("StopSignal") String stopSignal,
		// seconds; null means the engine's default (10 s), 0 means no grace at all
		@JsonProperty("StopTimeout") Integer stopTimeout,
		@JsonProperty("Shell") List<String> shell) {

	/** Swagger's {@code HealthConfig}; durations in nanoseconds, 0 inherits the image's. */
	public record HealthConfig(
			@JsonProperty("Test") List<String> test,
			@JsonProperty("Interval") long interval,
			@JsonProperty("Timeout") long timeout,
			@JsonProperty("StartPeriod") long startPeriod,
			@JsonProperty("StartInterval") long startInterval,
			@JsonProperty("Retries") int retries) {
	}

}
