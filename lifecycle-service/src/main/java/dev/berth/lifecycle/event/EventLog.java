package dev.berth.lifecycle.event;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.springframework.stereotype.Component;

import dev.berth.contracts.lifecycle.v1.Event;
import dev.berth.lifecycle.container.Container;

/**
 * Docker's event stream: the last {@link #KEPT} events for {@code --since}, and live delivery to
 * subscribers. Like dockerd's, the log lives in memory: events describe what happened since the
 * engine started, and a restart begins a new history.
 */
@Component
public class EventLog {

	/** As many as dockerd keeps for replay. */
	static final int KEPT = 256;

	private final Deque<Event> recent = new ArrayDeque<>();

	private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();

	private long lastTime;

	/** Records an event that happened now; times strictly increase so that {@code since} is exact. */
	public Event publish(String type, String action, String actorId, Map<String, String> attributes) {
		Instant now = Instant.now();
		return publish(Event.newBuilder()
			.setType(type)
			.setAction(action)
			.setActorId(actorId)
			.putAllAttributes(attributes)
			.setScope("local")
			.setTimeUnixNano(now.getEpochSecond() * 1_000_000_000L + now.getNano())
			.build());
	}

	/**
	 * A container's event with Docker's attributes: its labels, image and name, then {@code extra}.
	 */
	public Event publishContainer(Container container, String action, Map<String, String> extra) {
		Map<String, String> attributes = new LinkedHashMap<>(container.labels());
		attributes.put("image", container.image());
		attributes.put("name", container.name());
		attributes.putAll(extra);
		return publish("container", action, container.id(), attributes);
	}

	/** Records an event another service saw. */
	public synchronized Event publish(Event event) {
		long time = Math.max(event.getTimeUnixNano(), this.lastTime + 1);
		Event stamped = event.toBuilder().setTimeUnixNano(time).build();
		this.lastTime = time;
		this.recent.addLast(stamped);
		if (this.recent.size() > KEPT) {
			this.recent.removeFirst();
		}
		for (Consumer<Event> subscriber : this.subscribers) {
			subscriber.accept(stamped);
		}
		return stamped;
	}

	/**
	 * Delivers the kept events at or after {@code sinceUnixNano} (none when 0), then every new one,
	 * in order, until the returned handle is closed. The replay and the subscription happen under
	 * one lock, so no event falls between them.
	 */
	public synchronized AutoCloseable subscribe(long sinceUnixNano, Consumer<Event> subscriber) {
		if (sinceUnixNano > 0) {
			List<Event> replay = new ArrayList<>();
			for (Event event : this.recent) {
				if (event.getTimeUnixNano() >= sinceUnixNano) {
					replay.add(event);
				}
			}
			replay.forEach(subscriber);
		}
		this.subscribers.add(subscriber);
		return () -> this.subscribers.remove(subscriber);
	}

}
