package dev.berth.lifecycle.api;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import org.springframework.grpc.server.service.GrpcService;

import dev.berth.contracts.lifecycle.v1.Event;
import dev.berth.contracts.lifecycle.v1.EventServiceGrpc;
import dev.berth.contracts.lifecycle.v1.FilterValues;
import dev.berth.contracts.lifecycle.v1.PublishRequest;
import dev.berth.contracts.lifecycle.v1.PublishResponse;
import dev.berth.contracts.lifecycle.v1.SubscribeRequest;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.event.EventLog;

/** {@code berth.lifecycle.v1.EventService}: {@code docker events}, with its filters. */
@GrpcService
class EventGrpcService extends EventServiceGrpc.EventServiceImplBase {

	private final EventLog events;

	EventGrpcService(EventLog events) {
		this.events = events;
	}

	@Override
	public void subscribe(SubscribeRequest request, StreamObserver<Event> observer) {
		ServerCallStreamObserver<Event> responses = (ServerCallStreamObserver<Event>) observer;
		Predicate<Event> filter;
		try {
			filter = filter(request.getFiltersMap());
		}
		catch (RuntimeException ex) {
			observer.onError(LifecycleErrors.toStatus(ex));
			return;
		}
		long until = request.getUntilUnixNano();
		if (until > 0 && until <= request.getSinceUnixNano()) {
			observer.onCompleted();
			return;
		}
		AutoCloseable[] subscription = new AutoCloseable[1];
		Runnable end = () -> {
			try {
				if (subscription[0] != null) {
					subscription[0].close();
				}
			}
			catch (Exception ex) {
				// closing a subscription cannot fail
			}
		};
		responses.setOnCancelHandler(end::run);
		subscription[0] = this.events.subscribe(request.getSinceUnixNano(), (event) -> {
			synchronized (responses) {
				if (responses.isCancelled()) {
					return;
				}
				if (until > 0 && event.getTimeUnixNano() > until) {
					end.run();
					responses.onCompleted();
					return;
				}
				if (filter.test(event)) {
					responses.onNext(event);
				}
			}
		});
		if (until > 0) {
			// an until in the past (or reached while nothing happens) still ends the stream
			long delayNanos = until - System.currentTimeMillis() * 1_000_000L;
			Thread.ofVirtual().start(() -> {
				try {
					Thread.sleep(java.time.Duration.ofNanos(Math.max(0, delayNanos)));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				synchronized (responses) {
					end.run();
					if (!responses.isCancelled()) {
						try {
							responses.onCompleted();
						}
						catch (IllegalStateException ex) {
							// completed already by a later event
						}
					}
				}
			});
		}
	}

	@Override
	public void publish(PublishRequest request, StreamObserver<PublishResponse> observer) {
		ContainerGrpcService.unary(observer, () -> {
			this.events.publish(request.getEvent());
			return PublishResponse.getDefaultInstance();
		});
	}

	/** Docker's event filters: every key must match, values of one key are alternatives. */
	static Predicate<Event> filter(Map<String, FilterValues> filters) {
		Predicate<Event> all = (event) -> true;
		for (Map.Entry<String, FilterValues> entry : filters.entrySet()) {
			List<String> values = entry.getValue().getValuesList();
			if (values.isEmpty()) {
				continue;
			}
			Predicate<Event> key = switch (entry.getKey()) {
				case "type" -> (e) -> values.contains(e.getType());
				case "event" -> (e) -> values.stream().anyMatch((v) -> e.getAction().equals(v)
						|| e.getAction().startsWith(v + ":"));
				case "container" -> (e) -> e.getType().equals("container") && actorMatches(e, values);
				case "image" -> (e) -> (e.getType().equals("image") && actorMatches(e, values))
						|| values.contains(e.getAttributesOrDefault("image", ""));
				case "network" -> (e) -> e.getType().equals("network") && actorMatches(e, values);
				case "volume" -> (e) -> e.getType().equals("volume") && actorMatches(e, values);
				case "label" -> (e) -> values.stream().anyMatch((v) -> hasLabel(e, v));
				case "scope" -> (e) -> values.contains(e.getScope());
				case "daemon" -> (e) -> e.getType().equals("daemon") && actorMatches(e, values);
				default -> throw new InvalidArgumentException("Invalid filter '" + entry.getKey() + "'");
			};
			all = all.and(key);
		}
		return all;
	}

	private static boolean actorMatches(Event event, List<String> values) {
		String name = event.getAttributesOrDefault("name", "");
		return values.stream().anyMatch((v) -> event.getActorId().startsWith(v) || v.equals(name));
	}

	private static boolean hasLabel(Event event, String filter) {
		int equals = filter.indexOf('=');
		if (equals < 0) {
			return event.getAttributesMap().containsKey(filter);
		}
		return filter.substring(equals + 1).equals(event.getAttributesOrDefault(filter.substring(0, equals), null));
	}

}
