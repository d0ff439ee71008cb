package dev.berth.lifecycle.task;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.HostConfig.RestartPolicy;

/**
 * Docker's restart policies and its restart manager's backoff: the first restart after 100 ms, each
 * next one twice as late, at most a minute, and back to 100 ms once a run lasted 10 s.
 */
@Component
class RestartPolicies implements DisposableBean {

	static final Duration FIRST_DELAY = Duration.ofMillis(100);

	static final Duration MAX_DELAY = Duration.ofMinutes(1);

	/** A run at least this long resets the backoff. */
	static final Duration STABLE_RUN = Duration.ofSeconds(10);

	private final ScheduledExecutorService timer = Executors
		.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("berth-restart").factory());

	private final Map<String, Duration> delays = new ConcurrentHashMap<>();

	private final Map<String, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();

	/** Docker's checks of a restart policy, at create and at update; an absent or empty one is "no". */
	static void verify(RestartPolicy policy) {
		if (policy == null || policy.name() == null) {
			return;
		}
		int count = policy.maximumRetryCount();
		switch (policy.name()) {
			case "" -> {
				// dockerd lets an unnamed policy carry any count, for older clients
			}
			case "no", "always", "unless-stopped" -> {
				if (count != 0) {
					throw new InvalidArgumentException(
							"invalid restart policy: maximum retry count can only be used with 'on-failure'"
									+ ((count < 0) ? " and cannot be negative" : ""));
				}
			}
			case "on-failure" -> {
				if (count < 0) {
					throw new InvalidArgumentException("invalid restart policy: maximum retry count cannot be negative");
				}
			}
			default -> throw new InvalidArgumentException("invalid restart policy: unknown policy '" + policy.name()
					+ "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
		}
	}

	/** At create: the policy's own checks, and none but "no" for a container removed when it exits. */
	static void verifyForCreate(RestartPolicy policy, boolean autoRemove) {
		verify(policy);
		if (autoRemove && policy != null && !policy.isNone()) {
			throw new InvalidArgumentException("can't create 'AutoRemove' container with restart policy");
		}
	}

	/**
	 * Whether a container that exited with {@code exitCode} is to be started again.
	 * @param restartCount restarts made by the policy so far
	 */
	static boolean shouldRestart(RestartPolicy policy, int exitCode, int restartCount, boolean manuallyStopped) {
		if (policy == null || policy.name() == null) {
			return false;
		}
		return switch (policy.name()) {
			case "always", "unless-stopped" -> !manuallyStopped;
			case "on-failure" -> !manuallyStopped && exitCode != 0
					&& (policy.maximumRetryCount() <= 0 || restartCount < policy.maximumRetryCount());
			default -> false;
		};
	}

	/** The delay before the next restart, given how long the last run lasted. */
	Duration nextDelay(String id, Duration ran) {
		return this.delays.compute(id, (key, previous) -> {
			if (previous == null || ran.compareTo(STABLE_RUN) >= 0) {
				return FIRST_DELAY;
			}
			Duration doubled = previous.multipliedBy(2);
			return (doubled.compareTo(MAX_DELAY) > 0) ? MAX_DELAY : doubled;
		});
	}

	void schedule(String id, Duration delay, Runnable restart) {
		ScheduledFuture<?> future = this.timer.schedule(() -> {
			this.scheduled.remove(id);
			restart.run();
		}, delay.toMillis(), TimeUnit.MILLISECONDS);
		ScheduledFuture<?> earlier = this.scheduled.put(id, future);
		if (earlier != null) {
			earlier.cancel(false);
		}
	}

	/** A stop or a removal ends the restart loop. */
	void cancel(String id) {
		ScheduledFuture<?> future = this.scheduled.remove(id);
		if (future != null) {
			future.cancel(false);
		}
	}

	void forget(String id) {
		cancel(id);
		this.delays.remove(id);
	}

	@Override
	public void destroy() {
		this.timer.shutdownNow();
	}

}
