package dev.berth.gateway.exec;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of {@code POST /exec/{id}/start}: swagger's ExecStartConfig.
 *
 * @param consoleSize {@code [height, width]} of the terminal (API 1.42), or {@code null}
 */
record ExecStartConfig(@JsonProperty("Detach") Boolean detach, @JsonProperty("Tty") Boolean tty,
		@JsonProperty("ConsoleSize") List<Integer> consoleSize) {

	// fields a client leaves out are false, as Go's zero values
	boolean detached() {
		return Boolean.TRUE.equals(this.detach);
	}

	boolean terminal() {
		return Boolean.TRUE.equals(this.tty);
	}

}
