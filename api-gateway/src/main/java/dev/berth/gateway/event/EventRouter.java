package dev.berth.gateway.event;

import java.io.IOException;
import java.time.Instant;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.berth.contracts.lifecycle.v1.Event;
import dev.berth.contracts.lifecycle.v1.EventServiceGrpc;
import dev.berth.contracts.lifecycle.v1.SubscribeRequest;
import dev.berth.gateway.api.ApiVersion;
import dev.berth.gateway.api.DockerTimes;
import dev.berth.gateway.api.JsonBodies;
import dev.berth.gateway.api.ResponseStreams;
import dev.berth.gateway.lifecycle.LifecycleFilters;

/**
 * {@code GET /events}: lifecycle-service's one stream of container, image, network and volume events, as Docker's
 * NDJSON, one event per line, each flushed as it comes. With {@code until} the stream ends there; without it, when
 * the client goes away.
 */
@RestController
class EventRouter {

	private static final String WITH_IMAGE_CREATE = "1.46";

	private final EventServiceGrpc.EventServiceBlockingStub events;

	private final ResponseStreams streams;

	private final JsonBodies json;

	private final JsonMapper mapper;

	EventRouter(EventServiceGrpc.EventServiceBlockingStub events, ResponseStreams streams, JsonBodies json,
			JsonMapper mapper) {
		this.events = events;
		this.streams = streams;
		this.json = json;
		this.mapper = mapper;
	}

	@GetMapping("/events")
	void events(@RequestParam(defaultValue = "") String since, @RequestParam(defaultValue = "") String until,
			@RequestParam(required = false) String filters, @RequestAttribute(ApiVersion.ATTRIBUTE) String apiVersion,
			HttpServletResponse response) throws IOException {
		// an image's create (a commit's) came to the API in 1.46: older clients never see one, as with dockerd
		boolean withImageCreate = !ApiVersion.isOlder(apiVersion, WITH_IMAGE_CREATE);
		Instant now = Instant.now();
		SubscribeRequest request = SubscribeRequest.newBuilder()
			.setSinceUnixNano(DockerTimes.unixNanos(since, now))
			.setUntilUnixNano(DockerTimes.unixNanos(until, now))
			.putAllFilters(LifecycleFilters.parse(this.json, filters))
			.build();
		this.streams.flushed(response, MediaType.APPLICATION_JSON_VALUE, () -> this.events.subscribe(request),
				(event, out) -> {
					if (!withImageCreate && event.getType().equals("image") && event.getAction().equals("create")) {
						return;
					}
					out.write(this.mapper.writeValueAsBytes(EventMessage.of(event)));
					out.write('\n');
				});
	}

}
