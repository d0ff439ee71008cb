package dev.berth.lifecycle.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.container.ContainerState;
import dev.berth.lifecycle.container.ContainerStatus;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerJsonTests {

	private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

	@Test
	void statusColumnReadsAsDockersDoes() {
		assertThat(ContainerJson.status(ContainerState.created(), NOW)).isEqualTo("Created");
		assertThat(ContainerJson.status(running(Duration.ofMillis(300)), NOW)).isEqualTo("Up Less than a second");
		assertThat(ContainerJson.status(running(Duration.ofSeconds(1)), NOW)).isEqualTo("Up 1 second");
		assertThat(ContainerJson.status(running(Duration.ofSeconds(42)), NOW)).isEqualTo("Up 42 seconds");
		assertThat(ContainerJson.status(running(Duration.ofSeconds(90)), NOW)).isEqualTo("Up About a minute");
		assertThat(ContainerJson.status(running(Duration.ofMinutes(59)), NOW)).isEqualTo("Up 59 minutes");
		assertThat(ContainerJson.status(running(Duration.ofMinutes(70)), NOW)).isEqualTo("Up About an hour");
		assertThat(ContainerJson.status(running(Duration.ofHours(30)), NOW)).isEqualTo("Up 30 hours");
		assertThat(ContainerJson.status(running(Duration.ofDays(3)), NOW)).isEqualTo("Up 3 days");
		assertThat(ContainerJson.status(running(Duration.ofDays(20)), NOW)).isEqualTo("Up 2 weeks");
		ContainerState exited = new ContainerState(ContainerStatus.EXITED, 0, 3, "", NOW.minusSeconds(60),
				NOW.minusSeconds(5), false, 0);
		assertThat(ContainerJson.status(exited, NOW)).isEqualTo("Exited (3) 5 seconds ago");
		ContainerState paused = new ContainerState(ContainerStatus.PAUSED, 7, 0, "", NOW.minusSeconds(5), null, false,
				0);
		assertThat(ContainerJson.status(paused, NOW)).isEqualTo("Up 5 seconds (Paused)");
	}

	@Test
	void summaryCommandQuotesArgumentsWithSpacesAsDockerdDoes() {
		assertThat(ContainerJson.summaryCommand(List.of("sh", "-c", "exit 3"))).isEqualTo("sh -c 'exit 3'");
		assertThat(ContainerJson.summaryCommand(List.of("sleep", "300"))).isEqualTo("sleep 300");
		assertThat(ContainerJson.summaryCommand(List.of())).isEmpty();
	}

	@Test
	void timesThatNeverHappenedAreGosZeroTime() {
		assertThat(DockerTimes.rfc3339(null)).isEqualTo("0001-01-01T00:00:00Z");
		assertThat(DockerTimes.rfc3339(Instant.parse("2026-11-28T12:00:00.123456789Z")))
			.isEqualTo("2026-11-28T12:00:00.123456789Z");
	}

	private static ContainerState running(Duration uptime) {
		return new ContainerState(ContainerStatus.RUNNING, 42, 0, "", NOW.minus(uptime), null, false, 0);
	}

}
