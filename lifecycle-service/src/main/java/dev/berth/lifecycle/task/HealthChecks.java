package dev.berth.lifecycle.task;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerConfig.HealthConfig;
import dev.berth.lifecycle.event.EventLog;

/**
 * Docker's healthchecks: the container's test runs as a hidden exec every interval; its results make
 * {@code State.Health} (starting, healthy, unhealthy, with the last five probes) and a
 * {@code health_status} event at each change. Failures within the start period do not count.
 * Health lives in memory and starts over with each start of the container, as with dockerd.
 */
@Component
public class HealthChecks implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(HealthChecks.class);

	static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

	static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

	static final int DEFAULT_RETRIES = 3;

	static final int KEPT_PROBES = 5;

	/** A probe's output is kept up to this many bytes. */
	static final int MAX_OUTPUT = 4096;

	/** One probe: when it ran, how it ended, what it printed. */
	public record Probe(Instant start, Instant end, int exitCode, String output) {
	}

	/** {@code State.Health}. */
	public record Health(String status, int failingStreak, List<Probe> log) {
	}

	private final ScheduledExecutorService timer = Executors
		.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("berth-health").factory());

	private final Map<String, Health> health = new ConcurrentHashMap<>();

	private final Map<String, ScheduledFuture<?>> probes = new ConcurrentHashMap<>();

	private final Execs execs;

	private final EventLog events;

	HealthChecks(Execs execs, EventLog events) {
		this.execs = execs;
		this.events = events;
	}

	public Optional<Health> health(String containerId) {
		return Optional.ofNullable(this.health.get(containerId));
	}

	/** The container started: a configured check begins, in state {@code starting}. */
	void started(Container container) {
		stopped(container.id());
		List<String> command = command(container);
		if (command.isEmpty()) {
			this.health.remove(container.id());
			return;
		}
		this.health.put(container.id(), new Health("starting", 0, List.of()));
		HealthConfig config = container.config().healthcheck();
		Duration interval = orDefault(config.interval(), DEFAULT_INTERVAL);
		Instant startedAt = Instant.now();
		schedule(container, command, config, startedAt, firstDelay(config, interval));
	}

	/** The container stopped: no more probes; the last health stays for inspect. */
	void stopped(String containerId) {
		ScheduledFuture<?> probe = this.probes.remove(containerId);
		if (probe != null) {
			probe.cancel(false);
		}
	}

	void removed(String containerId) {
		stopped(containerId);
		this.health.remove(containerId);
	}

	private void schedule(Container container, List<String> command, HealthConfig config, Instant startedAt,
			Duration delay) {
		this.probes.put(container.id(), this.timer.schedule(() -> Thread.ofVirtual()
			.name("berth-probe")
			.start(() -> probe(container, command, config, startedAt)), delay.toMillis(), TimeUnit.MILLISECONDS));
	}

	private void probe(Container container, List<String> command, HealthConfig config, Instant startedAt) {
		if (!this.probes.containsKey(container.id())) {
			return;
		}
		Duration timeout = orDefault(config.timeout(), DEFAULT_TIMEOUT);
		Instant start = Instant.now();
		Execs.ProbeResult result;
		try {
			result = this.execs.probe(container, command, timeout, MAX_OUTPUT);
		}
		catch (RuntimeException ex) {
			logger.debug("healthcheck of {} could not run: {}", container.id(), ex.getMessage());
			result = new Execs.ProbeResult(-1, ex.getMessage());
		}
		Probe probe = new Probe(start, Instant.now(), result.exitCode(), result.output());
		boolean inStartPeriod = Duration.between(startedAt, start).compareTo(Duration.ofNanos(config.startPeriod())) < 0;
		record(container, probe, inStartPeriod, (config.retries() > 0) ? config.retries() : DEFAULT_RETRIES);
		Duration interval = orDefault(config.interval(), DEFAULT_INTERVAL);
		if (this.probes.containsKey(container.id())) {
			Health now = this.health.get(container.id());
			boolean starting = now != null && now.status().equals("starting") && inStartPeriod;
			Duration next = (starting && config.startInterval() > 0) ? Duration.ofNanos(config.startInterval()) : interval;
			schedule(container, command, config, startedAt, next);
		}
	}

	private void record(Container container, Probe probe, boolean inStartPeriod, int retries) {
		Health before = this.health.getOrDefault(container.id(), new Health("starting", 0, List.of()));
		List<Probe> log = new ArrayList<>(before.log());
		log.add(probe);
		while (log.size() > KEPT_PROBES) {
			log.remove(0);
		}
		Health after;
		if (probe.exitCode() == 0) {
			after = new Health("healthy", 0, List.copyOf(log));
		}
		else if (inStartPeriod && before.status().equals("starting")) {
			// failures while the program starts up are expected: they neither count nor change the state
			after = new Health("starting", before.failingStreak(), List.copyOf(log));
		}
		else {
			int streak = before.failingStreak() + 1;
			after = new Health((streak >= retries) ? "unhealthy" : before.status(), streak, List.copyOf(log));
		}
		this.health.put(container.id(), after);
		if (!after.status().equals(before.status())) {
			Map<String, String> attributes = new java.util.LinkedHashMap<>(container.labels());
			attributes.put("image", container.image());
			attributes.put("name", container.name());
			this.events.publish("container", "health_status: " + after.status(), container.id(), attributes);
		}
	}

	/** The test as a command line: CMD runs its arguments, CMD-SHELL its text through the shell; NONE none. */
	static List<String> command(Container container) {
		HealthConfig config = container.config().healthcheck();
		if (config == null || config.test() == null || config.test().isEmpty()) {
			return List.of();
		}
		List<String> test = config.test();
		return switch (test.get(0)) {
			case "CMD" -> test.subList(1, test.size());
			case "CMD-SHELL" -> {
				List<String> shell = container.config().shell();
				List<String> line = new ArrayList<>((shell != null && !shell.isEmpty()) ? shell : List.of("/bin/sh", "-c"));
				line.add(String.join(" ", test.subList(1, test.size())));
				yield line;
			}
			default -> List.of();
		};
	}

	private static Duration firstDelay(HealthConfig config, Duration interval) {
		return (config.startPeriod() > 0 && config.startInterval() > 0) ? Duration.ofNanos(config.startInterval())
				: interval;
	}

	private static Duration orDefault(long nanos, Duration fallback) {
		return (nanos > 0) ? Duration.ofNanos(nanos) : fallback;
	}

	@Override
	public void destroy() {
		this.timer.shutdownNow();
	}

}
