package dev.berth.gateway.exec;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of {@code POST /exec/{id}/start}: swagger's ExecStartConfig.
 *
 * @param consoleSize {@code [height, width]} of the terminal (API 1.42), or {@code null}
 */
record ExecStartConfig(@JsonProperty("Detach") boolean detach, @JsonProperty("Tty") boolean tty,
		@JsonProperty("ConsoleSize") List<Integer> consoleSize) {
}
