package dev.berth.lifecycle.task;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.container.HostConfig.RestartPolicy;

import static org.assertj.core.api.Assertions.assertThat;

class RestartPoliciesTests {

	@Test
	void eachPolicyDecidesAsDockersDoes() {
		assertThat(RestartPolicies.shouldRestart(null, 1, 0, false)).isFalse();
		assertThat(RestartPolicies.shouldRestart(new RestartPolicy("no", 0), 1, 0, false)).isFalse();
		assertThat(RestartPolicies.shouldRestart(new RestartPolicy("always", 0), 0, 7, false)).isTrue();
		assertThat(RestartPolicies.shouldRestart(new RestartPolicy("always", 0), 0, 0, true)).isFalse();
		assertThat(RestartPolicies.shouldRestart(new RestartPolicy("unless-stopped", 0), 0, 0, false)).isTrue();
		assertThat(RestartPolicies.shouldRestart(new RestartPolicy("unless-stopped", 0), 0, 0, true)).isFalse();
		RestartPolicy onFailure = new RestartPolicy("on-failure", 2);
		assertThat(RestartPolicies.shouldRestart(onFailure, 0, 0, false)).isFalse();
		assertThat(RestartPolicies.shouldRestart(onFailure, 1, 0, false)).isTrue();
		assertThat(RestartPolicies.shouldRestart(onFailure, 1, 1, false)).isTrue();
		assertThat(RestartPolicies.shouldRestart(onFailure, 1, 2, false)).isFalse();
		// a stop's SIGTERM is a failure exit, but a stop by hand ends every policy
		assertThat(RestartPolicies.shouldRestart(onFailure, 143, 0, true)).isFalse();
		assertThat(RestartPolicies.shouldRestart(new RestartPolicy("on-failure", 0), 1, 1000, false)).isTrue();
	}

	@Test
	void backoffDoublesFromAHundredMillisecondsToAMinuteAndResetsAfterAStableRun() {
		RestartPolicies policies = new RestartPolicies();
		try {
			Duration quick = Duration.ofMillis(5);
			assertThat(policies.nextDelay("c", quick)).isEqualTo(Duration.ofMillis(100));
			assertThat(policies.nextDelay("c", quick)).isEqualTo(Duration.ofMillis(200));
			assertThat(policies.nextDelay("c", quick)).isEqualTo(Duration.ofMillis(400));
			for (int i = 0; i < 20; i++) {
				policies.nextDelay("c", quick);
			}
			assertThat(policies.nextDelay("c", quick)).isEqualTo(Duration.ofMinutes(1));
			assertThat(policies.nextDelay("c", Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(100));
			assertThat(policies.nextDelay("other", quick)).isEqualTo(Duration.ofMillis(100));
		}
		finally {
			policies.destroy();
		}
	}

}
