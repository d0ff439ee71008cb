package dev.berth.engine.registry;

/**
 * One line of pull or push progress, in the shape Docker's NDJSON stream has: {@code id} is a
 * layer's short digest (or the tag for whole-image lines), {@code status} Docker's wording
 * ({@code Pulling fs layer}, {@code Downloading}, {@code Download complete}…), and
 * {@code current}/{@code total} bytes when a transfer is under way (else -1).
 */
public record ProgressEvent(String id, String status, long current, long total) {

	public static ProgressEvent status(String id, String status) {
		return new ProgressEvent(id, status, -1, -1);
	}

	public static ProgressEvent message(String status) {
		return new ProgressEvent(null, status, -1, -1);
	}

}
