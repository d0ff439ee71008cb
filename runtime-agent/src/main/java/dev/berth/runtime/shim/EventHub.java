package dev.berth.runtime.shim;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.berth.runtime.spec.Json;

/**
 * Task events (create, start, exit, oom, exec-added, exec-started, paused, resumed, delete) to
 * every subscribed client, each through its own bounded queue and virtual thread, so a stalled
 * subscriber costs nobody else anything; one that falls 10,000 events behind is dropped.
 */
final class EventHub {

	private static final int MAX_QUEUED = 10_000;

	private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();

	void publish(String type, String containerId, String execId, Map<String, Object> details) {
		Map<String, Object> event = new java.util.LinkedHashMap<>();
		event.put("type", type);
		event.put("id", containerId);
		event.put("execId", execId);
		event.put("time", System.currentTimeMillis() * 1_000_000L);
		event.putAll(details);
		String line = Json.write(event) + "\n";
		for (Subscriber subscriber : this.subscribers) {
			if (!subscriber.queue.offer(line)) {
				subscriber.close();
			}
		}
	}

	/** Streams events to {@code channel} until it closes; blocks the calling (virtual) thread. */
	void subscribe(SocketChannel channel) {
		Subscriber subscriber = new Subscriber(channel);
		this.subscribers.add(subscriber);
		try {
			while (channel.isOpen()) {
				String line = subscriber.queue.take();
				ShimWire.writeFully(channel, java.nio.ByteBuffer.wrap(line.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
			}
		}
		catch (IOException | InterruptedException ex) {
			// the subscriber went away
		}
		finally {
			this.subscribers.remove(subscriber);
			subscriber.close();
		}
	}

	private static final class Subscriber {

		final SocketChannel channel;

		final BlockingQueue<String> queue = new ArrayBlockingQueue<>(MAX_QUEUED);

		Subscriber(SocketChannel channel) {
			this.channel = channel;
		}

		void close() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}

	}

}
