package dev.berth.lifecycle.api;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Docker's ways of writing times: RFC 3339 with nanoseconds, and the CLI's human durations. */
final class DockerTimes {

	/** What Docker writes for a time that never happened (Go's zero time). */
	static final String ZERO = "0001-01-01T00:00:00Z";

	private DockerTimes() {
	}

	static String rfc3339(Instant instant) {
		return (instant != null) ? DateTimeFormatter.ISO_INSTANT.format(instant) : ZERO;
	}

	/** "Less than a second", "5 seconds", "About a minute", "3 hours", "2 weeks", as Docker's status column. */
	static String human(Duration duration) {
		long seconds = duration.toSeconds();
		if (seconds < 1) {
			return "Less than a second";
		}
		if (seconds == 1) {
			return "1 second";
		}
		if (seconds < 60) {
			return seconds + " seconds";
		}
		long minutes = duration.toMinutes();
		if (minutes == 1) {
			return "About a minute";
		}
		if (minutes < 60) {
			return minutes + " minutes";
		}
		long hours = Math.round(duration.toSeconds() / 3600.0);
		if (hours == 1) {
			return "About an hour";
		}
		if (hours < 48) {
			return hours + " hours";
		}
		if (hours < 24 * 7 * 2) {
			return hours / 24 + " days";
		}
		if (hours < 24 * 30 * 2) {
			return hours / 24 / 7 + " weeks";
		}
		if (hours < 24 * 365 * 2) {
			return hours / 24 / 30 + " months";
		}
		return hours / 24 / 365 + " years";
	}

}
