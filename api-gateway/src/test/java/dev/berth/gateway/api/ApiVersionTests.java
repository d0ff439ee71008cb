package dev.berth.gateway.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiVersionTests {

	@Test
	void versionsCompareByNumberNotByText() {
		assertThat(ApiVersion.compare("1.9", "1.24")).isNegative();
		assertThat(ApiVersion.compare("1.100", "1.50")).isPositive();
		assertThat(ApiVersion.compare("1.50", "1.50")).isZero();
		assertThat(ApiVersion.compare("2.0", "1.50")).isPositive();
		assertThat(ApiVersion.isOlder("1.43", "1.44")).isTrue();
		assertThat(ApiVersion.isOlder("1.44", "1.44")).isFalse();
	}

}
