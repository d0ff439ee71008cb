package dev.berth.gateway.api;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.berth.gateway.GatewayProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FiltersTests {

	private final JsonBodies json = new JsonBodies(new GatewayProperties(List.of(), "", 1024, 8, ""));

	@Test
	void readsTheCliSetsAndDockerPyLists() {
		assertThat(Filters.parse(this.json, "{\"dangling\":{\"true\":true},\"label\":{\"a=1\":true,\"b\":true}}"))
			.isEqualTo(Map.of("dangling", List.of("true"), "label", List.of("a=1", "b")));
		assertThat(Filters.parse(this.json, "{\"reference\":[\"busybox\",\"alpine:3\"]}"))
			.isEqualTo(Map.of("reference", List.of("busybox", "alpine:3")));
		assertThat(Filters.parse(this.json, null)).isEmpty();
		assertThat(Filters.parse(this.json, "")).isEmpty();
	}

	@Test
	void refusesOtherShapes() {
		for (String bad : List.of("{bad", "[]", "{\"dangling\":\"true\"}", "{\"dangling\":[1]}",
				"{\"a\":" + "[".repeat(20) + "]".repeat(20) + "}")) {
			assertThatThrownBy(() -> Filters.parse(this.json, bad)).as(bad)
				.isInstanceOf(InvalidParameterException.class)
				.hasMessageStartingWith("invalid filters: ");
		}
		assertThatThrownBy(() -> Filters.parse(this.json, "{\"a\":[\"" + "x".repeat(2000) + "\"]}"))
			.isInstanceOf(PayloadTooLargeException.class);
	}

}
