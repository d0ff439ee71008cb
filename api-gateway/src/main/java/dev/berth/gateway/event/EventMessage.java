package dev.berth.gateway.event;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.berth.contracts.lifecycle.v1.Event;

/**
 * One line of {@code GET /events}: moby's events.Message. {@code status}, {@code id} and {@code from} are the
 * pre-1.22 form of Action and Actor that dockerd still fills for container and image events through API 1.51 (they
 * left in 1.52, after every version the gateway speaks); clients such as docker-py 4 and docker-compose 1.29 read
 * them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record EventMessage(@JsonProperty("status") String status, @JsonProperty("id") String id,
		@JsonProperty("from") String from, @JsonProperty("Type") String type, @JsonProperty("Action") String action,
		@JsonProperty("Actor") Actor actor, @JsonProperty("scope") String scope, @JsonProperty("time") long time,
		@JsonProperty("timeNano") long timeNano) {

	private static final long NANOS_PER_SECOND = 1_000_000_000L;

	record Actor(@JsonProperty("ID") String id, @JsonProperty("Attributes") Map<String, String> attributes) {
	}

	static EventMessage of(Event event) {
		// dockerd sorts the attributes (a Go map, encoded with its keys in order)
		Map<String, String> attributes = new TreeMap<>(event.getAttributesMap());
		boolean legacy = event.getType().equals("container") || event.getType().equals("image");
		String from = event.getType().equals("container") ? attributes.get("image") : null;
		return new EventMessage(legacy ? event.getAction() : null, legacy ? event.getActorId() : null, from,
				event.getType(), event.getAction(), new Actor(event.getActorId(), attributes),
				event.getScope().isEmpty() ? "local" : event.getScope(), event.getTimeUnixNano() / NANOS_PER_SECOND,
				event.getTimeUnixNano());
	}

}
