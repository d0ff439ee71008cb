package dev.berth.lifecycle.task;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.berth.contracts.agent.v1.EventsRequest;
import dev.berth.contracts.agent.v1.EventsResponse;
import dev.berth.contracts.agent.v1.ListRequest;
import dev.berth.contracts.agent.v1.StateResponse;
import dev.berth.contracts.agent.v1.TaskExited;
import dev.berth.contracts.agent.v1.TaskStatus;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.node.Node;
import dev.berth.lifecycle.node.Nodes;

/**
 * Follows every node's task events, containerd's exit monitor: exits become container state. After
 * each (re)connection the node's tasks are compared with the records, so an exit that happened
 * while this service or the stream was down is recorded too (the node keeps a stopped task's exit
 * status until the task is deleted).
 */
@Component
class TaskMonitor implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(TaskMonitor.class);

	private static final Duration RECONNECT_DELAY = Duration.ofMillis(500);

	private static final int NO_TASK_EXIT_CODE = 255;

	private final Nodes nodes;

	private final Containers containers;

	private final Execs execs;

	private final Map<String, Context.CancellableContext> streams = new ConcurrentHashMap<>();

	private volatile boolean running;

	/** Whether the restart policies were applied since this service started. */
	private volatile boolean booted;

	TaskMonitor(Nodes nodes, Containers containers, Execs execs) {
		this.nodes = nodes;
		this.containers = containers;
		this.execs = execs;
	}

	@Override
	public void start() {
		this.running = true;
		for (Node node : this.nodes.all()) {
			Thread.ofVirtual().name("berth-monitor-" + node.name()).start(() -> follow(node));
		}
	}

	@Override
	public void stop() {
		this.running = false;
		this.streams.values().forEach((context) -> context.cancel(null));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void follow(Node node) {
		while (this.running) {
			Context.CancellableContext context = Context.current().withCancellation();
			this.streams.put(node.name(), context);
			Disconnected disconnected = new Disconnected();
			context.run(() -> node.tasksAsync().events(EventsRequest.getDefaultInstance(), new EventObserver(disconnected)));
			try {
				// the subscription is in place before the comparison, so nothing falls between
				reconcile(node);
				if (!this.booted) {
					this.booted = true;
					this.containers.restartOnBoot();
				}
			}
			catch (RuntimeException ex) {
				logger.debug("node {} not reachable yet: {}", node.name(), ex.getMessage());
			}
			disconnected.await();
			context.cancel(null);
			if (this.running) {
				sleep(RECONNECT_DELAY);
			}
		}
	}

	/** Records the exits of containers whose tasks stopped, or vanished, while nobody listened. */
	private void reconcile(Node node) {
		Map<String, StateResponse> tasks = node.tasks()
			.list(ListRequest.getDefaultInstance())
			.getTasksList()
			.stream()
			.filter((task) -> task.getExecId().isEmpty())
			.collect(Collectors.toMap(StateResponse::getId, Function.identity(), (a, b) -> a));
		for (Container container : this.containers.upOn(node)) {
			StateResponse task = tasks.get(container.id());
			if (task == null) {
				logger.warn("container {} has no task on node {}: recorded as exited", container.id(), node.name());
				this.containers.exited(container.id(), NO_TASK_EXIT_CODE, Instant.now(), false);
			}
			else if (task.getStatus() == TaskStatus.TASK_STATUS_STOPPED) {
				this.containers.exited(container.id(), task.getExitStatus(), instant(task.getExitedAtUnixNano()),
						task.getOomKilled());
			}
		}
	}

	private void onEvent(EventsResponse event) {
		if (!event.hasExited()) {
			return;
		}
		TaskExited exit = event.getExited();
		Instant at = instant(exit.getExitedAtUnixNano());
		// off the stream's thread: recording an exit talks to the node again
		Thread.ofVirtual().name("berth-exit").start(() -> {
			try {
				if (event.getExecId().isEmpty()) {
					this.containers.exited(event.getContainerId(), exit.getExitStatus(), at, exit.getOomKilled());
				}
				else {
					this.execs.exited(event.getContainerId(), event.getExecId(), exit.getExitStatus());
				}
			}
			catch (RuntimeException ex) {
				logger.warn("could not record the exit of {} {}: {}", event.getContainerId(), event.getExecId(),
						ex.toString());
			}
		});
	}

	private static Instant instant(long unixNano) {
		return (unixNano > 0) ? Instant.ofEpochSecond(0, unixNano) : Instant.now();
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Signals the end of one subscription. */
	private static final class Disconnected {

		private final java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);

		void signal() {
			this.latch.countDown();
		}

		void await() {
			try {
				while (!this.latch.await(1, TimeUnit.SECONDS)) {
					// wait on
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	private final class EventObserver implements StreamObserver<EventsResponse> {

		private final Disconnected disconnected;

		EventObserver(Disconnected disconnected) {
			this.disconnected = disconnected;
		}

		@Override
		public void onNext(EventsResponse event) {
			onEvent(event);
		}

		@Override
		public void onError(Throwable error) {
			Status status = Status.fromThrowable(error);
			if (status.getCode() != Status.Code.CANCELLED) {
				logger.debug("task events of a node ended: {}", status);
			}
			this.disconnected.signal();
		}

		@Override
		public void onCompleted() {
			this.disconnected.signal();
		}

	}

}
