package dev.berth.runtime.seccomp;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.berth.runtime.spec.RuntimeSpec.Seccomp;
import dev.berth.runtime.spec.RuntimeSpec.SeccompRule;
import dev.berth.runtime.spec.SpecException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SeccompProgramsTests {

	private final SeccompPrograms programs = new SeccompPrograms();

	@Test
	void anEqualProfileGetsTheProgramCompiledForTheFirst() {
		SeccompProgram first = this.programs.compile(denying("mkdir"));
		SeccompProgram second = this.programs.compile(denying("mkdir"));
		assertThat(second).isSameAs(first);
		assertThat(first.filter()).isEqualTo(SeccompCompiler.compile(denying("mkdir")).filter());
		assertThat(this.programs.size()).isOne();
	}

	@Test
	void anyDifferenceInTheProfileIsAnotherProgram() {
		SeccompProgram mkdir = this.programs.compile(denying("mkdir"));
		SeccompProgram rmdir = this.programs.compile(denying("rmdir"));
		assertThat(rmdir.filter()).isNotEqualTo(mkdir.filter());
		assertThat(this.programs.compile(denying("rmdir"))).isSameAs(rmdir);
	}

	@Test
	void keepsTheMostRecentlyUsedProfiles() {
		SeccompProgram kept = this.programs.compile(denying("mkdir"));
		for (int errno = 2; errno < SeccompPrograms.CAPACITY + 5; errno++) {
			this.programs.compile(new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(),
					List.of(new SeccompRule(List.of("rmdir"), "SCMP_ACT_ERRNO", (long) errno, List.of()))));
			assertThat(this.programs.compile(denying("mkdir"))).isSameAs(kept);
		}
		assertThat(this.programs.size()).isEqualTo(SeccompPrograms.CAPACITY);
	}

	@Test
	void aProfileThatDoesNotCompileIsRefusedEveryTime() {
		Seccomp bad = new Seccomp("SCMP_ACT_TELEPORT", null, List.of(), List.of(), List.of());
		for (int i = 0; i < 2; i++) {
			assertThatExceptionOfType(SpecException.class).isThrownBy(() -> this.programs.compile(bad))
				.withMessageContaining("linux.seccomp.defaultAction");
		}
		assertThat(this.programs.size()).isZero();
	}

	@Test
	void aProgramFromElsewhereMustBeWholeInstructionsWithinTheKernelsLimit() {
		assertThat(SeccompProgram.of(new byte[16], 1).instructionCount()).isEqualTo(2);
		assertThatIllegalArgumentException().isThrownBy(() -> SeccompProgram.of(new byte[0], 0));
		assertThatIllegalArgumentException().isThrownBy(() -> SeccompProgram.of(new byte[12], 0));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SeccompProgram.of(new byte[8 * (SeccompCompiler.MAX_INSTRUCTIONS + 1)], 0));
	}

	private static Seccomp denying(String name) {
		return new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(),
				List.of(new SeccompRule(List.of(name), "SCMP_ACT_ERRNO", 1L, List.of())));
	}

}
