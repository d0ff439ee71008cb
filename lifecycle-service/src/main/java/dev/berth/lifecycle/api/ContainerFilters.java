package dev.berth.lifecycle.api;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.berth.contracts.filter.FilterTime;
import dev.berth.contracts.lifecycle.v1.FilterValues;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerStatus;

/**
 * {@code docker ps --filter}: every key must match (values of one key are alternatives), as in
 * dockerd. Keys not supported yet are refused by name rather than silently ignored.
 */
final class ContainerFilters {

	private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused",
			"exited", "dead");

	private ContainerFilters() {
	}

	/**
	 * @param resolve looks a container up by reference, for {@code before} and {@code since}
	 * @param health a container's health status ({@code none} without a check), for {@code health}
	 */
	static Predicate<Container> of(Map<String, FilterValues> filters,
			java.util.function.Function<String, Optional<Container>> resolve,
			java.util.function.Function<Container, String> health) {
		return allOf(filters, (key, values) -> switch (key) {
				case "id" -> (c) -> values.stream().anyMatch((v) -> c.id().startsWith(v));
				case "name" -> (c) -> values.stream().anyMatch((v) -> matches(v, "/" + c.name()));
				case "label" -> (c) -> values.stream().allMatch((v) -> hasLabel(c, v));
				case "status" -> {
					for (String value : values) {
						if (!STATUSES.contains(value)) {
							throw new InvalidArgumentException("Invalid filter 'status=" + value + "'");
						}
					}
					yield (c) -> values.contains(c.state().status().wireName());
				}
				case "exited" -> (c) -> c.state().status() == ContainerStatus.EXITED
						&& values.contains(Integer.toString(c.state().exitCode()));
				case "ancestor" -> (c) -> values.stream()
					.anyMatch((v) -> v.equals(c.image()) || c.imageId().startsWith(v)
							|| c.imageId().startsWith("sha256:" + v)
							|| (!v.contains(":") && c.image().equals(v + ":latest")));
				case "before" -> {
					Container pivot = pivot(values, resolve);
					yield (c) -> c.created().isBefore(pivot.created());
				}
				case "since" -> {
					Container pivot = pivot(values, resolve);
					yield (c) -> c.created().isAfter(pivot.created());
				}
				case "health" -> {
					for (String value : values) {
						if (!Set.of("starting", "healthy", "unhealthy", "none").contains(value)) {
							throw new InvalidArgumentException("Unrecognised filter value for health: " + value);
						}
					}
					yield (c) -> values.contains(health.apply(c));
				}
				case "network", "volume", "publish", "expose", "is-task", "isolation" ->
					throw new InvalidArgumentException("filter '" + key + "' is not supported yet");
				default -> throw new InvalidArgumentException("Invalid filter '" + key + "'");
		});
	}

	/**
	 * {@code docker container prune --filter}: {@code until} (created no later than), {@code label} (every one
	 * matches) and {@code label!} (not all of them match), dockerd's keys for a prune.
	 */
	static Predicate<Container> forPrune(Map<String, FilterValues> filters, Clock clock) {
		return allOf(filters, (key, values) -> switch (key) {
				case "until" -> {
					if (values.size() > 1) {
						throw new InvalidArgumentException("more than one until filter specified");
					}
					Instant until = until(values.get(0), clock);
					yield (c) -> !c.created().isAfter(until);
				}
				case "label" -> (c) -> values.stream().allMatch((v) -> hasLabel(c, v));
				case "label!" -> (c) -> !values.stream().allMatch((v) -> hasLabel(c, v));
				default -> throw new InvalidArgumentException("Invalid filter '" + key + "'");
		});
	}

	private static Instant until(String value, Clock clock) {
		try {
			return FilterTime.parse(value, clock);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidArgumentException(ex.getMessage());
		}
	}

	/** Every key must match; a key without values selects everything, as in dockerd. */
	private static Predicate<Container> allOf(Map<String, FilterValues> filters,
			java.util.function.BiFunction<String, List<String>, Predicate<Container>> byKey) {
		Predicate<Container> all = (container) -> true;
		for (Map.Entry<String, FilterValues> filter : filters.entrySet()) {
			List<String> values = filter.getValue().getValuesList();
			if (!values.isEmpty()) {
				all = all.and(byKey.apply(filter.getKey(), values));
			}
		}
		return all;
	}

	private static Container pivot(List<String> values, java.util.function.Function<String, Optional<Container>> resolve) {
		String reference = values.get(0);
		return resolve.apply(reference)
			.orElseThrow(() -> new dev.berth.lifecycle.NotFoundException("No such container: " + reference));
	}

	private static boolean matches(String pattern, String name) {
		try {
			return Pattern.compile(pattern).matcher(name).find();
		}
		catch (PatternSyntaxException ex) {
			throw new InvalidArgumentException("invalid filter 'name=" + pattern + "': " + ex.getDescription());
		}
	}

	private static boolean hasLabel(Container container, String filter) {
		int equals = filter.indexOf('=');
		if (equals < 0) {
			return container.labels().containsKey(filter);
		}
		return filter.substring(equals + 1).equals(container.labels().get(filter.substring(0, equals)));
	}

}
