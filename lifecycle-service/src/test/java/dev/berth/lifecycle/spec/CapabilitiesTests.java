package dev.berth.lifecycle.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.InvalidArgumentException;

class CapabilitiesTests {

	private static final List<String> AVAILABLE = SpecFixtures.host().capabilities();

	@Test
	void withoutChangesAContainerGetsDockersFourteen() {
		assertThat(Capabilities.of(null, null, false, AVAILABLE)).containsExactly("CAP_CHOWN", "CAP_DAC_OVERRIDE",
				"CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
				"CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
	}

	@Test
	void namesMayOmitThePrefixAndUseAnyCase() {
		List<String> caps = Capabilities.of(List.of("sys_admin", "CAP_NET_ADMIN"), List.of("net_raw", "CAP_MKNOD"),
				false, AVAILABLE);
		assertThat(caps).contains("CAP_SYS_ADMIN", "CAP_NET_ADMIN").doesNotContain("CAP_NET_RAW", "CAP_MKNOD").hasSize(14);
	}

	@Test
	void dropAllKeepsOnlyWhatIsAdded() {
		assertThat(Capabilities.of(List.of("CHOWN"), List.of("ALL"), false, AVAILABLE)).containsExactly("CAP_CHOWN");
	}

	@Test
	void addAllGivesEverythingAvailableButWhatIsDropped() {
		List<String> caps = Capabilities.of(List.of("all"), List.of("SYS_ADMIN"), false, AVAILABLE);
		assertThat(caps).hasSize(AVAILABLE.size() - 1).doesNotContain("CAP_SYS_ADMIN");
	}

	@Test
	void privilegedGetsEverythingTheEngineHolds() {
		assertThat(Capabilities.of(null, List.of("ALL"), true, AVAILABLE)).isEqualTo(AVAILABLE)
			.doesNotContain("CAP_SYS_RESOURCE");
	}

	@Test
	void unknownOrUnavailableCapabilitiesAreRefusedInDockersWords() {
		assertThatThrownBy(() -> Capabilities.of(List.of("FLY"), null, false, AVAILABLE))
			.isInstanceOf(InvalidArgumentException.class)
			.hasMessage("invalid CapAdd: unknown capability: \"CAP_FLY\"");
		assertThatThrownBy(() -> Capabilities.of(null, List.of("SYS_RESOURCE"), false, AVAILABLE))
			.hasMessage("invalid CapDrop: capability not supported by your kernel or not available in the current "
					+ "environment: \"CAP_SYS_RESOURCE\"");
	}

}
