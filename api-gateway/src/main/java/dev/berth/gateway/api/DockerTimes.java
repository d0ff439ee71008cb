package dev.berth.gateway.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The times Docker's {@code since} and {@code until} parameters take, in every form dockerd reads: unix seconds with
 * an optional fraction ({@code 1700000000.5}, what the CLI sends), RFC 3339 and its shorter forms down to a bare date
 * (without a zone: the daemon's local time), and Go durations counted back from now ({@code 10m}, {@code 1h30m}).
 */
public final class DockerTimes {

	private static final Pattern UNIX = Pattern.compile("^-?\\d+(\\.\\d{1,9})?$");

	private static final Pattern DURATION = Pattern.compile("^(\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

	private static final Pattern DATE_TIME = Pattern.compile(
			"^(\\d{4})-(\\d{2})-(\\d{2})(?:T(\\d{2})(?::(\\d{2})(?::(\\d{2})(\\.\\d{1,9})?)?)?)?([zZ]|[+-]\\d{2}:\\d{2})?$");

	private DockerTimes() {
	}

	/** {@code value} as unix nanoseconds; an absent or empty value, and {@code 0}, are 0 (no bound). */
	public static long unixNanos(String value, Instant now) {
		if (value == null || value.isEmpty()) {
			return 0;
		}
		if (UNIX.matcher(value).matches()) {
			return new BigDecimal(value).movePointRight(9).longValueExact();
		}
		Long duration = durationNanos(value);
		if (duration != null) {
			// dockerd keeps whole seconds of a relative time
			return (now.getEpochSecond() - duration / 1_000_000_000L) * 1_000_000_000L;
		}
		Matcher time = DATE_TIME.matcher(value);
		if (!time.matches()) {
			throw new InvalidParameterException("failed to parse value as time or duration: \"" + value + "\"");
		}
		LocalDateTime local = LocalDateTime.of(Integer.parseInt(time.group(1)), Integer.parseInt(time.group(2)),
				Integer.parseInt(time.group(3)), number(time.group(4)), number(time.group(5)), number(time.group(6)),
				(time.group(7) != null) ? new BigDecimal("0" + time.group(7)).movePointRight(9).intValue() : 0);
		String zone = time.group(8);
		Instant instant = (zone == null) ? local.atZone(ZoneId.systemDefault()).toInstant()
				: OffsetDateTime.of(local, zone.equalsIgnoreCase("z") ? ZoneOffset.UTC : ZoneOffset.of(zone)).toInstant();
		return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
	}

	// a Go duration: a sequence of numbers with units, such as 1h30m or 1.5s; null when value is not one
	private static Long durationNanos(String value) {
		String rest = value.startsWith("-") || value.startsWith("+") ? value.substring(1) : value;
		if (rest.isEmpty()) {
			return null;
		}
		BigDecimal nanos = BigDecimal.ZERO;
		while (!rest.isEmpty()) {
			Matcher part = DURATION.matcher(rest);
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
