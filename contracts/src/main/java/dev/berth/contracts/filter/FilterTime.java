package dev.berth.contracts.filter;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The times Docker takes wherever it reads one ({@code since}, {@code until}, and the {@code until}
 * filter of the prunes), in every form dockerd reads: unix seconds with an optional fraction
 * ({@code 1700000000.5}, what the CLI sends), RFC 3339 and its shorter forms down to a bare date
 * ({@code 2024-01-31}, {@code 2024-01-31T10}, {@code 2024-01-31T10:00}, {@code 2024-01-31Z}), and Go
 * durations counted back from now ({@code 24h}, {@code 1h30m}, {@code 1.5s}). A time without a zone
 * is in the clock's zone, as dockerd reads it in its own; a duration's time keeps whole seconds, as
 * dockerd's does.
 */
public final class FilterTime {

	private static final Pattern UNIX = Pattern.compile("^-?\\d+(\\.\\d{1,9})?$");

	private static final Pattern DURATION_PART = Pattern.compile("^(\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

	private static final Pattern DATE_TIME = Pattern.compile(
			"^(\\d{4})-(\\d{2})-(\\d{2})(?:T(\\d{2})(?::(\\d{2})(?::(\\d{2})(\\.\\d{1,9})?)?)?)?([zZ]|[+-]\\d{2}:\\d{2})?$");

	private FilterTime() {
	}

	/** @throws IllegalArgumentException in Docker's words for a value that is none of those */
	public static Instant parse(String value, Clock clock) {
		if (UNIX.matcher(value).matches()) {
			BigDecimal seconds = new BigDecimal(value);
			long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
			return Instant.ofEpochSecond(whole, seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue());
		}
		Long duration = durationNanos(value);
		if (duration != null) {
			return Instant.ofEpochSecond(clock.instant().minusNanos(duration).getEpochSecond());
		}
		Matcher time = DATE_TIME.matcher(value);
		if (!time.matches()) {
			throw new IllegalArgumentException("failed to parse value as time or duration: \"" + value + "\"");
		}
		try {
			LocalDateTime local = LocalDateTime.of(Integer.parseInt(time.group(1)), Integer.parseInt(time.group(2)),
					Integer.parseInt(time.group(3)), number(time.group(4)), number(time.group(5)), number(time.group(6)),
					(time.group(7) != null) ? new BigDecimal("0" + time.group(7)).movePointRight(9).intValue() : 0);
			String zone = time.group(8);
			return (zone == null) ? local.atZone(clock.getZone()).toInstant()
					: OffsetDateTime.of(local, zone.equalsIgnoreCase("z") ? ZoneOffset.UTC : ZoneOffset.of(zone)).toInstant();
		}
		catch (DateTimeException ex) {
			throw new IllegalArgumentException("failed to parse value as time or duration: \"" + value + "\"", ex);
		}
	}

	/** A Go duration (numbers, each with a unit, after an optional sign) in nanoseconds; null when value is not one. */
	private static Long durationNanos(String value) {
		String rest = (value.startsWith("-") || value.startsWith("+")) ? value.substring(1) : value;
		if (rest.isEmpty()) {
			return null;
		}
		BigDecimal nanos = BigDecimal.ZERO;
		while (!rest.isEmpty()) {
			Matcher part = DURATION_PART.matcher(rest);
			if (!part.find()) {
				return null;
			}
			nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unitNanos(part.group(3)))));
			rest = rest.substring(part.end());
		}
		long total = nanos.longValue();
		return value.startsWith("-") ? -total : total;
	}

	private static long unitNanos(String unit) {
		return switch (unit) {
			case "ns" -> 1L;
			case "us", "µs" -> 1_000L;
			case "ms" -> 1_000_000L;
			case "s" -> 1_000_000_000L;
			case "m" -> 60_000_000_000L;
			default -> 3_600_000_000_000L;
		};
	}

	private static int number(String digits) {
		return (digits != null) ? Integer.parseInt(digits) : 0;
	}

}
