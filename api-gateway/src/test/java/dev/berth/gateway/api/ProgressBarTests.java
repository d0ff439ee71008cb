package dev.berth.gateway.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTests {

	@Test
	void sizesAreDecimalWithFourSignificantDigitsAsDockerPrintsThem() {
		assertThat(ProgressBar.humanSize(0)).isEqualTo("0B");
		assertThat(ProgressBar.humanSize(999)).isEqualTo("999B");
		assertThat(ProgressBar.humanSize(262144)).isEqualTo("262.1kB");
		assertThat(ProgressBar.humanSize(1085523)).isEqualTo("1.086MB");
		assertThat(ProgressBar.humanSize(2_000_000)).isEqualTo("2MB");
		assertThat(ProgressBar.humanSize(104_857_600)).isEqualTo("104.9MB");
	}

	@Test
	void theBarIsFiftyWideWithAnArrowAtTheFront() {
		assertThat(ProgressBar.render(0, 100)).isEqualTo("[>" + " ".repeat(50) + "]       0B/100B");
		assertThat(ProgressBar.render(50, 100)).isEqualTo("[" + "=".repeat(25) + ">" + " ".repeat(25) + "]      50B/100B");
		assertThat(ProgressBar.render(100, 100)).isEqualTo("[" + "=".repeat(50) + ">]     100B/100B");
		assertThat(ProgressBar.render(36445, 1085264)).endsWith("]  36.45kB/1.085MB");
		assertThat(ProgressBar.render(1500, -1)).isEqualTo("1.5kB");
	}

}
