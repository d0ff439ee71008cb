package dev.berth.lifecycle.container;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Swagger's {@code ExecConfig}, the body of {@code POST /containers/{id}/exec}. */
public record ExecConfig(
		@JsonProperty("AttachStdin") boolean attachStdin,
		@JsonProperty("AttachStdout") boolean attachStdout,
		@JsonProperty("AttachStderr") boolean attachStderr,
		// [height, width]
		@JsonProperty("ConsoleSize") List<Integer> consoleSize,
		@JsonProperty("DetachKeys") String detachKeys,
		@JsonProperty("Tty") boolean tty,
		@JsonProperty("Env") List<String> env,
		@JsonProperty("Cmd") List<String> cmd,
		@JsonProperty("Privileged") boolean privileged,
		@JsonProperty("User") String user,
		@JsonProperty("WorkingDir") String workingDir) {
}
