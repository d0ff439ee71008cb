package dev.berth.contracts.filter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterTimeTests {

	private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");

	private static final Clock CLOCK = Clock.fixed(NOW, ZoneId.of("UTC"));

	@Test
	void goDurationsCountBackFromNow() {
		assertThat(FilterTime.parse("24h", CLOCK)).isEqualTo(NOW.minus(Duration.ofHours(24)));
		assertThat(FilterTime.parse("1h30m", CLOCK)).isEqualTo(NOW.minus(Duration.ofMinutes(90)));
		assertThat(FilterTime.parse("0s", CLOCK)).isEqualTo(NOW);
		assertThat(FilterTime.parse("-10m", CLOCK)).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
	}

	@Test
	void aDurationsTimeKeepsWholeSecondsAsDockerdsDoes() {
		// dockerd takes the time's unix seconds: 11:59:58.5 is 11:59:58
		assertThat(FilterTime.parse("1.5s", CLOCK)).isEqualTo(Instant.parse("2024-06-01T11:59:58Z"));
		Clock later = Clock.fixed(NOW.plusMillis(700), ZoneId.of("UTC"));
		assertThat(FilterTime.parse("1s", later)).isEqualTo(Instant.parse("2024-06-01T11:59:59Z"));
	}

	@Test
	void dockerdsShorterFormsAndLocalTimes() {
		assertThat(FilterTime.parse("2024-01-31T10", CLOCK)).isEqualTo(Instant.parse("2024-01-31T10:00:00Z"));
		assertThat(FilterTime.parse("2024-01-31Z", CLOCK)).isEqualTo(Instant.parse("2024-01-31T00:00:00Z"));
		assertThat(FilterTime.parse("2024-01-31T10:00z", CLOCK)).isEqualTo(Instant.parse("2024-01-31T10:00:00Z"));
		assertThat(FilterTime.parse("-1.5", CLOCK)).isEqualTo(Instant.ofEpochSecond(-2, 500_000_000));
		Clock berlin = Clock.fixed(NOW, ZoneId.of("Europe/Berlin"));
		assertThat(FilterTime.parse("2024-01-31T10:00:00", berlin)).isEqualTo(Instant.parse("2024-01-31T09:00:00Z"));
	}

	@Test
	void unixTimesAndRfc3339TimesAreAbsolute() {
		assertThat(FilterTime.parse("1700000000", CLOCK)).isEqualTo(Instant.ofEpochSecond(1_700_000_000));
		assertThat(FilterTime.parse("1700000000.25", CLOCK)).isEqualTo(Instant.ofEpochSecond(1_700_000_000, 250_000_000));
		assertThat(FilterTime.parse("2024-01-31", CLOCK)).isEqualTo(Instant.parse("2024-01-31T00:00:00Z"));
		assertThat(FilterTime.parse("2024-01-31T10:00", CLOCK)).isEqualTo(Instant.parse("2024-01-31T10:00:00Z"));
		assertThat(FilterTime.parse("2024-01-31T10:00:00.5Z", CLOCK)).isEqualTo(Instant.parse("2024-01-31T10:00:00.5Z"));
		assertThat(FilterTime.parse("2024-01-31T10:00:00+02:00", CLOCK)).isEqualTo(Instant.parse("2024-01-31T08:00:00Z"));
		assertThat(FilterTime.parse("2024-01-31T10:00:00-05:00", CLOCK)).isEqualTo(Instant.parse("2024-01-31T15:00:00Z"));
	}

	@Test
	void anythingElseIsRefused() {
		assertThatThrownBy(() -> FilterTime.parse("yesterday", CLOCK))
			.hasMessage("failed to parse value as time or duration: \"yesterday\"");
		assertThatThrownBy(() -> FilterTime.parse("2024-13-01", CLOCK))
			.hasMessage("failed to parse value as time or duration: \"2024-13-01\"");
	}

}
