package dev.berth.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of Docker's NDJSON streams (pull, push, load, later build): moby's jsonmessage.JSONMessage, which the CLI
 * reads to draw progress bars, print lines, and find the error that ends a stream already answered with 200.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JsonMessage(@JsonProperty("stream") String stream, @JsonProperty("status") String status,
		@JsonProperty("progressDetail") ProgressDetail progressDetail, @JsonProperty("progress") String progress,
		@JsonProperty("id") String id, @JsonProperty("errorDetail") ErrorDetail errorDetail,
		@JsonProperty("error") String error, @JsonProperty("aux") Object aux) {

	/** A status line, with a progress bar when {@code total} is known ({@code -1} when it is not). */
	public static JsonMessage progress(String id, String status, long current, long total) {
		if (current < 0) {
			return new JsonMessage(null, status, new ProgressDetail(null, null), null, emptyToNull(id), null, null, null);
		}
		Long knownTotal = (total > 0) ? total : null;
		return new JsonMessage(null, status, new ProgressDetail(current, knownTotal),
				ProgressBar.render(current, total), emptyToNull(id), null, null, null);
	}

	/** A bare status line, as dockerd writes the ID that docker import made. */
	public static JsonMessage status(String status) {
		return new JsonMessage(null, status, null, null, null, null, null, null);
	}

	public static JsonMessage stream(String text) {
		return new JsonMessage(text, null, null, null, null, null, null, null);
	}

	public static JsonMessage aux(Object aux) {
		return new JsonMessage(null, null, new ProgressDetail(null, null), null, null, null, null, aux);
	}

	/** The last line of a stream that failed after its 200 went out. */
	public static JsonMessage error(String message) {
		return new JsonMessage(null, null, null, null, null, new ErrorDetail(message), message, null);
	}

	private static String emptyToNull(String s) {
		return (s == null || s.isEmpty()) ? null : s;
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record ProgressDetail(@JsonProperty("current") Long current, @JsonProperty("total") Long total) {
	}

	public record ErrorDetail(@JsonProperty("message") String message) {
	}

}
