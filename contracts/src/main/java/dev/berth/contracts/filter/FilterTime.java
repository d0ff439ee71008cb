package dev.berth.contracts.filter;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The times Docker's {@code until} and {@code since} filters take: a Go duration back from now
 * ({@code 24h}, {@code 1h30m}, {@code 90s}), a Unix time in seconds ({@code 1700000000.5}), or an
 * RFC 3339 date or date-time, with or without a zone ({@code 2024-01-31},
 * {@code 2024-01-31T10:00}, {@code 2024-01-31T10:00:00Z}); a time without a zone is in the
 * engine clock's zone, as dockerd reads it in its own.
 */
public final class FilterTime {

	private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

	private static final Pattern DURATION = Pattern.compile("[-+]?(?:(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:ns|us|µs|ms|s|m|h))+");

	private static final Pattern UNIX = Pattern.compile("\\d+(?:\\.\\d{1,9})?");

	private FilterTime() {
	}

	/** @throws IllegalArgumentException in Docker's words for a value that is none of those */
	public static Instant parse(String value, Clock clock) {
		if (DURATION.matcher(value).matches()) {
			return clock.instant().minus(duration(value));
		}
		if (UNIX.matcher(value).matches()) {
			BigDecimal seconds = new BigDecimal(value);
			return Instant.ofEpochSecond(seconds.longValue(),
					seconds.subtract(new BigDecimal(seconds.longValue())).movePointRight(9).longValue());
		}
		try {
			if (value.indexOf('T') < 0) {
				return LocalDate.parse(value).atStartOfDay(clock.getZone()).toInstant();
			}
			boolean zoned = value.endsWith("Z") || value.endsWith("z") || value.lastIndexOf('+') > value.indexOf('T')
					|| value.lastIndexOf('-') > value.indexOf('T');
			return zoned ? OffsetDateTime.parse(value.replace('z', 'Z')).toInstant()
					: LocalDateTime.parse(value).atZone(clock.getZone()).toInstant();
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException("failed to parse value as time or duration: \"" + value + "\"");
		}
	}

	/** A Go duration: a sequence of decimal numbers, each with a unit. */
	private static Duration duration(String value) {
		boolean negative = value.startsWith("-");
		Matcher part = DURATION_PART.matcher(value);
		BigDecimal nanos = BigDecimal.ZERO;
		while (part.find()) {
			long unit = switch (part.group(2)) {
				case "ns" -> 1L;
				case "us", "µs" -> 1_000L;
				case "ms" -> 1_000_000L;
				case "s" -> 1_000_000_000L;
				case "m" -> 60_000_000_000L;
				default -> 3_600_000_000_000L;
			};
			nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unit)));
		}
		Duration duration = Duration.ofNanos(nanos.longValue());
		return negative ? duration.negated() : duration;
	}

}
