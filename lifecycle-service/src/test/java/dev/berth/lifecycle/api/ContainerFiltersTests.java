package dev.berth.lifecycle.api;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.lifecycle.v1.FilterValues;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code docker ps} and {@code docker container prune} filters: every key must match, in dockerd's words. */
class ContainerFiltersTests {

	private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);

	private static final ObjectNode EMPTY = JsonMapper.builder().build().createObjectNode();

	private final Container old = container("old", "2026-06-01T09:00:00Z", Map.of("keep", "yes"));

	private final Container recent = container("recent", "2026-06-01T11:30:00Z", Map.of("keep", "no", "team", "a"));

	@Test
	void pruneSelectsByCreationTimeAndLabels() {
		assertThat(selected(Map.of("until", List.of("1h")))).containsExactly("old");
		assertThat(selected(Map.of("until", List.of("2026-06-01T11:45:00Z")))).containsExactly("old", "recent");
		assertThat(selected(Map.of("label", List.of("keep=no", "team")))).containsExactly("recent");
		assertThat(selected(Map.of("label!", List.of("keep=yes")))).containsExactly("recent");
		assertThat(selected(Map.of("label!", List.of("keep")))).isEmpty();
		assertThat(selected(Map.of())).containsExactly("old", "recent");
	}

	@Test
	void pruneRefusesWhatDockerdRefuses() {
		assertThatThrownBy(() -> selected(Map.of("status", List.of("exited")))).isInstanceOf(InvalidArgumentException.class)
			.hasMessage("Invalid filter 'status'");
		assertThatThrownBy(() -> selected(Map.of("until", List.of("1h", "2h"))))
			.hasMessage("more than one until filter specified");
		assertThatThrownBy(() -> selected(Map.of("until", List.of("yesterday"))))
			.hasMessage("failed to parse value as time or duration: \"yesterday\"");
	}

	@Test
	void listFiltersStillMatchEveryKey() {
		Predicate<Container> filter = ContainerFilters.of(filters(Map.of("name", List.of("^/rec"), "label",
				List.of("team=a"))), (reference) -> Optional.empty(), (container) -> "none");
		assertThat(List.of(this.old, this.recent).stream().filter(filter).map(Container::name)).containsExactly("recent");
	}

	private List<String> selected(Map<String, List<String>> filters) {
		Predicate<Container> prune = ContainerFilters.forPrune(filters(filters), CLOCK);
		return List.of(this.old, this.recent).stream().filter(prune).map(Container::name).toList();
	}

	private static Map<String, FilterValues> filters(Map<String, List<String>> filters) {
		return filters.entrySet()
			.stream()
			.collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
					(e) -> FilterValues.newBuilder().addAllValues(e.getValue()).build()));
	}

	private static Container container(String name, String created, Map<String, String> labels) {
		return new Container(name.repeat(64).substring(0, 64), name, "busybox", "sha256:" + "ab".repeat(32), "local",
				Instant.parse(created), EMPTY, EMPTY, EMPTY, labels, false, ContainerState.created());
	}

}
