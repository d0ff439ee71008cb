package dev.berth.engine.event;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.berth.contracts.channel.ServiceChannels;
import dev.berth.contracts.lifecycle.v1.Event;
import dev.berth.contracts.lifecycle.v1.EventServiceGrpc;
import dev.berth.contracts.lifecycle.v1.PublishRequest;
import dev.berth.engine.image.ImageEvents;

/**
 * Image events into lifecycle-service's event log, the one stream {@code docker events} reads. Each is sent before
 * the operation answers, as dockerd logs its events before it answers, so a client that asks for the events right
 * after an rmi sees its untags and deletes. A log that cannot be reached loses the event, never the operation.
 */
public final class EventLogPublisher implements ImageEvents, AutoCloseable {

	private static final Log logger = LogFactory.getLog(EventLogPublisher.class);

	/** The log is on loopback beside the engine: anything slower means it is not answering. */
	private static final long DEADLINE_MILLIS = 2000;

	private final ManagedChannel channel;

	private final EventServiceGrpc.EventServiceBlockingStub events;

	private final Clock clock;

	/** @param target lifecycle-service's gRPC target, as {@link ServiceChannels} takes it */
	public EventLogPublisher(String target, Clock clock) {
		this.channel = ServiceChannels.open(target);
		this.events = EventServiceGrpc.newBlockingStub(this.channel);
		this.clock = clock;
	}

	@Override
	public void published(String action, String actorId, Map<String, String> attributes) {
		Instant now = this.clock.instant();
		Event event = Event.newBuilder()
			.setType("image")
			.setAction(action)
			.setActorId(actorId)
			.putAllAttributes(attributes)
			.setScope("local")
			.setTimeUnixNano(now.getEpochSecond() * 1_000_000_000L + now.getNano())
			.build();
		try {
			this.events.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
				.publish(PublishRequest.newBuilder().setEvent(event).build());
		}
		catch (StatusRuntimeException ex) {
			logger.warn("image event " + action + " " + actorId + " not logged: " + ex.getStatus());
		}
	}

	@Override
	public void close() {
		this.channel.shutdownNow();
	}

}
