package dev.berth.lifecycle.task;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.HostConfig.RestartPolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
	void policiesAreCheckedInDockersWords() {
		RestartPolicies.verify(null);
		RestartPolicies.verify(new RestartPolicy("", 5));
		RestartPolicies.verify(new RestartPolicy("on-failure", 3));
		RestartPolicies.verify(new RestartPolicy("unless-stopped", 0));
		assertThatThrownBy(() -> RestartPolicies.verify(new RestartPolicy("sometimes", 0)))
			.isInstanceOf(InvalidArgumentException.class)
			.hasMessage("invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', "
					+ "or 'unless-stopped'");
		assertThatThrownBy(() -> RestartPolicies.verify(new RestartPolicy("always", 2)))
			.hasMessage("invalid restart policy: maximum retry count can only be used with 'on-failure'");
		assertThatThrownBy(() -> RestartPolicies.verify(new RestartPolicy("no", -1)))
			.hasMessage("invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative");
		assertThatThrownBy(() -> RestartPolicies.verify(new RestartPolicy("on-failure", -2)))
			.hasMessage("invalid restart policy: maximum retry count cannot be negative");
	}

	@Test
	void aContainerRemovedAtItsExitTakesNoRestartPolicyButNo() {
		RestartPolicies.verifyForCreate(new RestartPolicy("no", 0), true);
		RestartPolicies.verifyForCreate(new RestartPolicy("always", 0), false);
		assertThatThrownBy(() -> RestartPolicies.verifyForCreate(new RestartPolicy("always", 0), true))
			.isInstanceOf(InvalidArgumentException.class)
			.hasMessage("can't create 'AutoRemove' container with restart policy");
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
