package dev.berth.gateway.api;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

import dev.berth.contracts.filter.FilterTime;

/**
 * Docker's {@code since} and {@code until} parameters as the services take them: unix nanoseconds,
 * 0 for no bound. The forms are {@link FilterTime}'s, the one parser of Docker's times.
 */
public final class DockerTimes {

	private DockerTimes() {
	}

	/** {@code value} as unix nanoseconds; an absent or empty value is 0 (no bound). */
	public static long unixNanos(String value, Instant now) {
		if (value == null || value.isEmpty()) {
			return 0;
		}
		Instant instant;
		try {
			// a time without a zone is the daemon's local time, as dockerd reads it
			instant = FilterTime.parse(value, Clock.fixed(now, ZoneId.systemDefault()));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidParameterException(ex.getMessage());
		}
		return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
	}

}
