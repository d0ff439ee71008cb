package dev.berth.lifecycle.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.spec.SecurityOptions.Seccomp;

class SecurityOptionsTests {

	@Test
	void noOptionsMeansDefaultsEverywhere() {
		assertThat(SecurityOptions.parse(null)).isEqualTo(new SecurityOptions(false, Seccomp.UNSET, null, null));
	}

	@Test
	void noNewPrivilegesAloneOrWithAValue() {
		assertThat(SecurityOptions.parse(List.of("no-new-privileges")).noNewPrivileges()).isTrue();
		assertThat(SecurityOptions.parse(List.of("no-new-privileges:true")).noNewPrivileges()).isTrue();
		assertThat(SecurityOptions.parse(List.of("no-new-privileges=1")).noNewPrivileges()).isTrue();
		assertThat(SecurityOptions.parse(List.of("no-new-privileges", "no-new-privileges=false")).noNewPrivileges())
			.isFalse();
		assertThatThrownBy(() -> SecurityOptions.parse(List.of("no-new-privileges=maybe")))
			.isInstanceOf(InvalidArgumentException.class)
			.hasMessage("invalid --security-opt 2: \"no-new-privileges=maybe\"");
	}

	@Test
	void seccompUnconfinedBuiltinOrAProfilesText() {
		assertThat(SecurityOptions.parse(List.of("seccomp=unconfined")).seccomp()).isEqualTo(Seccomp.UNCONFINED);
		assertThat(SecurityOptions.parse(List.of("seccomp:unconfined")).seccomp()).isEqualTo(Seccomp.UNCONFINED);
		assertThat(SecurityOptions.parse(List.of("seccomp=builtin")).seccomp()).isEqualTo(Seccomp.DEFAULT);
		SecurityOptions custom = SecurityOptions.parse(List.of("seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"));
		assertThat(custom.seccomp()).isEqualTo(Seccomp.CUSTOM);
		assertThat(custom.seccompProfile()).isEqualTo("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
	}

	@Test
	void labelAndApparmorAreAcceptedWithoutEffectUnknownOptionsAreNot() {
		assertThat(SecurityOptions.parse(List.of("label=disable", "label:type:svirt_t", "apparmor=unconfined", "disable")))
			.isEqualTo(new SecurityOptions(false, Seccomp.UNSET, null, null));
		assertThatThrownBy(() -> SecurityOptions.parse(List.of("selinux")))
			.hasMessage("invalid --security-opt 1: \"selinux\"");
		assertThatThrownBy(() -> SecurityOptions.parse(List.of("magic=on")))
			.hasMessage("invalid --security-opt 2: \"magic=on\"");
	}

	@Test
	void writableCgroups() {
		assertThat(SecurityOptions.parse(List.of("writable-cgroups")).writableCgroups()).isTrue();
		assertThat(SecurityOptions.parse(List.of("writable-cgroups=false")).writableCgroups()).isFalse();
	}

}
