package dev.berth.engine.image;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code docker images --filter}: {@code dangling}, {@code label}, {@code reference},
 * {@code before} and {@code since}. Values of one key are alternatives (any may match); different
 * keys must all match, as in Docker. An unknown key is an error, as Docker makes it.
 */
final class ImageFilters {

	private static final Set<String> KEYS = Set.of("dangling", "label", "reference", "before", "since");

	private final Map<String, List<String>> filters;

	private final Instant before;

	private final Instant since;

	/** Filters whose before/since images are resolved through {@code resolve}. */
	ImageFilters(Map<String, List<String>> filters, Function<String, ImageRecord> resolve) {
		for (String key : filters.keySet()) {
			if (!KEYS.contains(key)) {
				throw new IllegalArgumentException("invalid filter '" + key + "'");
			}
		}
		for (String value : filters.getOrDefault("dangling", List.of())) {
			if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false") && !value.equals("1")
					&& !value.equals("0")) {
				throw new IllegalArgumentException("invalid filter 'dangling=" + value + "'");
			}
		}
		this.filters = filters;
		this.before = createdOf(filters.get("before"), resolve);
		this.since = createdOf(filters.get("since"), resolve);
	}

	private static Instant createdOf(List<String> values, Function<String, ImageRecord> resolve) {
		if (values == null || values.isEmpty()) {
			return null;
		}
		ImageRecord record = resolve.apply(values.get(values.size() - 1));
		return (record.created() != null) ? record.created() : Instant.EPOCH;
	}

	/** Whether an image, with its familiar tags and its labels (read only when a label filter asks), passes. */
	boolean matches(ImageRecord record, List<String> tags, Supplier<Map<String, String>> labels) {
		List<String> dangling = this.filters.get("dangling");
		if (dangling != null && !dangling.isEmpty()) {
			boolean wanted = dangling.get(0).equalsIgnoreCase("true") || dangling.get(0).equals("1");
			if (tags.isEmpty() != wanted) {
				return false;
			}
		}
		List<String> labelFilters = this.filters.get("label");
		if (labelFilters != null && !labelFilters.isEmpty() && !labelFilters.stream().allMatch((f) -> hasLabel(labels.get(), f))) {
			return false;
		}
		List<String> references = this.filters.get("reference");
		if (references != null && !references.isEmpty()
				&& references.stream().noneMatch((pattern) -> tags.stream().anyMatch((tag) -> referenceMatches(pattern, tag)))) {
			return false;
		}
		Instant created = (record.created() != null) ? record.created() : Instant.EPOCH;
		if (this.before != null && !created.isBefore(this.before)) {
			return false;
		}
		return this.since == null || created.isAfter(this.since);
	}

	/** {@code label=key} needs the key; {@code label=key=value} needs that value. */
	static boolean hasLabel(Map<String, String> labels, String filter) {
		int equals = filter.indexOf('=');
		if (equals < 0) {
			return labels.containsKey(filter);
		}
		return filter.substring(equals + 1).equals(labels.get(filter.substring(0, equals)));
	}

	/**
	 * Docker matches a reference pattern against the familiar name with tag ({@code busybox:latest})
	 * and, when the pattern has no tag, against the name alone.
	 */
	private static boolean referenceMatches(String pattern, String tag) {
		PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
		if (matcher.matches(Path.of(tag))) {
			return true;
		}
		int colon = tag.lastIndexOf(':');
		return colon > tag.lastIndexOf('/') && matcher.matches(Path.of(tag.substring(0, colon)));
	}

}
