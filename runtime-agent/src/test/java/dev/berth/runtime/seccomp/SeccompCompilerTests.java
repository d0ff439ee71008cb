package dev.berth.runtime.seccomp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.berth.runtime.seccomp.ClassicBpf.SeccompData;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.RuntimeSpec.Seccomp;
import dev.berth.runtime.spec.RuntimeSpec.SeccompArg;
import dev.berth.runtime.spec.RuntimeSpec.SeccompRule;
import dev.berth.runtime.spec.SpecException;

import static dev.berth.runtime.seccomp.ClassicBpf.AUDIT_ARCH_AARCH64;
import static dev.berth.runtime.seccomp.ClassicBpf.AUDIT_ARCH_ARM;
import static dev.berth.runtime.seccomp.ClassicBpf.AUDIT_ARCH_I386;
import static dev.berth.runtime.seccomp.ClassicBpf.AUDIT_ARCH_X86_64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SeccompCompilerTests {

	private static final int ALLOW = 0x7fff0000;

	private static final int KILL_PROCESS = 0x80000000;

	private static final int X32_BIT = 0x40000000;

	private static final List<String> X86_FAMILY = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");

	@Test
	void allowListReturnsTheDefaultErrnoForEverythingElse() {
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, List.of(),
				rule("SCMP_ACT_ALLOW", "read", "write", "getpid", "exit_group")));
		assertThat(decide(program, SeccompArch.X86_64, "read")).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "getpid")).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "exit_group")).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "mkdir")).isEqualTo(errno(1));
		assertThat(decide(program, SeccompArch.X86_64, "close")).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_X86_64, 200)).isEqualTo(errno(1));
	}

	@Test
	void defaultErrnoRetSetsTheDefaultActionsErrno() {
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", 38L, List.of(), rule("SCMP_ACT_ALLOW", "read")));
		assertThat(decide(program, SeccompArch.X86_64, "mkdir")).isEqualTo(errno(38));
		assertThat(decide(program, SeccompArch.X86_64, "read")).isEqualTo(ALLOW);
	}

	@Test
	void denyListAllowsEverythingElse() {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of(),
				rule("SCMP_ACT_ERRNO", 13L, List.of("mkdir", "rmdir")), rule("SCMP_ACT_KILL_PROCESS", "reboot"),
				rule("SCMP_ACT_TRAP", "kexec_load")));
		assertThat(decide(program, SeccompArch.X86_64, "mkdir")).isEqualTo(errno(13));
		assertThat(decide(program, SeccompArch.X86_64, "rmdir")).isEqualTo(errno(13));
		assertThat(decide(program, SeccompArch.X86_64, "reboot")).isEqualTo(KILL_PROCESS);
		assertThat(decide(program, SeccompArch.X86_64, "kexec_load")).isEqualTo(0x00030000);
		assertThat(decide(program, SeccompArch.X86_64, "getpid")).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "mkdirat")).isEqualTo(ALLOW);
	}

	static Stream<Arguments> architectures() {
		return Stream.of(Arguments.of("amd64", SeccompArch.X86_64), Arguments.of("amd64", SeccompArch.X86),
				Arguments.of("amd64", SeccompArch.X32), Arguments.of("arm64", SeccompArch.AARCH64));
	}

	@ParameterizedTest(name = "{1}")
	@MethodSource("architectures")
	void systemCallsNewerThanAnAllowListGetEnosys(String host, SeccompArch arch) {
		List<String> architectures = (arch == SeccompArch.AARCH64) ? List.of("SCMP_ARCH_AARCH64") : X86_FAMILY;
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, architectures,
				rule("SCMP_ACT_ALLOW", "read", "getpid"),
				rule("SCMP_ACT_ALLOW", null, List.of("personality"), arg(0, "SCMP_CMP_EQ", 8, 0))), host);
		SyscallTable table = SyscallTable.of(arch);
		int highest = Stream.of("read", "getpid", "personality").mapToInt((name) -> table.number(name).getAsInt())
			.max().getAsInt();
		assertThat(decide(program, arch, "getpid")).isEqualTo(ALLOW);
		assertThat(decide(program, arch, "personality", 8)).isEqualTo(ALLOW);
		assertThat(decide(program, arch, "personality", 0)).isEqualTo(errno(1));
		assertThat(decide(program, arch, "close")).as("known, unlisted, lower").isEqualTo(errno(1));
		assertThat(run(program, arch.auditArch(), highest - 1)).isEqualTo(errno(1));
		assertThat(run(program, arch.auditArch(), highest + 1)).isEqualTo(errno(38));
		assertThat(decide(program, arch, "openat2")).isEqualTo(errno(38));
		assertThat(run(program, arch.auditArch(), highest + 100_000)).isEqualTo(errno(38));
		int largest = switch (arch) {
			case X86_64 -> 0xBFFF_FFFF;
			case X32, X86, AARCH64 -> 0xFFFF_FFFF;
		};
		assertThat(run(program, arch.auditArch(), largest)).isEqualTo(errno(38));
	}

	@Test
	void eachArchitectureHasItsOwnHighestNumber() {
		// socketcall (102) exists on x86 only; getpid is 39 on x86_64, 20 on x86
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, X86_FAMILY,
				rule("SCMP_ACT_ALLOW", "getpid", "socketcall")));
		assertThat(run(program, AUDIT_ARCH_X86_64, 39)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_X86_64, 38)).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_X86_64, 40)).isEqualTo(errno(38));
		assertThat(run(program, AUDIT_ARCH_X86_64, 102)).isEqualTo(errno(38));
		assertThat(run(program, AUDIT_ARCH_I386, 101)).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_I386, 102)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_I386, 103)).isEqualTo(errno(38));
		assertThat(run(program, AUDIT_ARCH_X86_64, X32_BIT | 38)).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_X86_64, X32_BIT | 40)).isEqualTo(errno(38));
	}

	@Test
	void aSystemCallNamedOnlyWithTheDefaultActionStillCountsAsKnown() {
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, List.of(),
				rule("SCMP_ACT_ALLOW", "read"), rule("SCMP_ACT_ERRNO", "openat2")));
		assertThat(decide(program, SeccompArch.X86_64, "openat2")).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_X86_64, 436)).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_X86_64, 438)).isEqualTo(errno(38));

		SeccompProgram onlyDefault = compile(profile("SCMP_ACT_KILL_PROCESS", null, List.of(),
				rule("SCMP_ACT_KILL_PROCESS", "getpid")));
		assertThat(run(onlyDefault, AUDIT_ARCH_X86_64, 39)).isEqualTo(KILL_PROCESS);
		assertThat(run(onlyDefault, AUDIT_ARCH_X86_64, 40)).isEqualTo(errno(38));
	}

	static Stream<Arguments> defaultActions() {
		return Stream.of(Arguments.of("SCMP_ACT_KILL", errno(38)), Arguments.of("SCMP_ACT_KILL_PROCESS", errno(38)),
				Arguments.of("SCMP_ACT_TRAP", errno(38)), Arguments.of("SCMP_ACT_ERRNO", errno(38)),
				Arguments.of("SCMP_ACT_ALLOW", ALLOW), Arguments.of("SCMP_ACT_LOG", 0x7ffc0000),
				Arguments.of("SCMP_ACT_TRACE", 0x7ff00001));
	}

	@ParameterizedTest
	@MethodSource("defaultActions")
	void onlyDefaultActionsThatStopTheCallGiveEnosys(String defaultAction, int newer) {
		SeccompProgram program = compile(profile(defaultAction, null, X86_FAMILY,
				rule("SCMP_ACT_ERRNO", 13L, List.of("mkdir")), rule("SCMP_ACT_TRAP", "getpid")));
		assertThat(decide(program, SeccompArch.X86_64, "mkdir")).isEqualTo(errno(13));
		assertThat(run(program, AUDIT_ARCH_X86_64, 84)).isEqualTo(newer);
		assertThat(run(program, AUDIT_ARCH_X86_64, 100_000)).isEqualTo(newer);
		assertThat(run(program, AUDIT_ARCH_I386, 40)).isEqualTo(newer);
		assertThat(run(program, AUDIT_ARCH_X86_64, X32_BIT | 100_000)).isEqualTo(newer);
	}

	@Test
	void aDefaultOfEnosysNeedsNoSeparateTest() {
		Seccomp enosys = profile("SCMP_ACT_ERRNO", 38L, List.of(), rule("SCMP_ACT_ALLOW", "read"));
		Seccomp eperm = profile("SCMP_ACT_ERRNO", 1L, List.of(), rule("SCMP_ACT_ALLOW", "read"));
		assertThat(compile(enosys).instructionCount()).isEqualTo(compile(eperm).instructionCount() - 2);
		assertThat(run(compile(enosys), AUDIT_ARCH_X86_64, 1)).isEqualTo(errno(38));
	}

	static Stream<Arguments> actions() {
		return Stream.of(Arguments.of("SCMP_ACT_KILL", null, 0x00000000),
				Arguments.of("SCMP_ACT_KILL_THREAD", null, 0x00000000),
				Arguments.of("SCMP_ACT_KILL_PROCESS", null, 0x80000000),
				Arguments.of("SCMP_ACT_TRAP", null, 0x00030000), Arguments.of("SCMP_ACT_ERRNO", null, 0x00050001),
				Arguments.of("SCMP_ACT_ERRNO", 0L, 0x00050000), Arguments.of("SCMP_ACT_ERRNO", 4095L, 0x00050fff),
				Arguments.of("SCMP_ACT_ERRNO", 65535L, 0x0005ffff), Arguments.of("SCMP_ACT_TRACE", null, 0x7ff00001),
				Arguments.of("SCMP_ACT_TRACE", 4242L, 0x7ff01092), Arguments.of("SCMP_ACT_LOG", null, 0x7ffc0000),
				Arguments.of("SCMP_ACT_LOG", 5L, 0x7ffc0000));
	}

	@ParameterizedTest
	@MethodSource("actions")
	void actionsReturnTheirSeccompRetValues(String action, Long errnoRet, int expected) {
		SeccompProgram asRule = compile(profile("SCMP_ACT_ALLOW", null, List.of(),
				rule(action, errnoRet, List.of("getpid"))));
		assertThat(decide(asRule, SeccompArch.X86_64, "getpid")).isEqualTo(expected);
		SeccompProgram asDefault = compile(profile(action, errnoRet, List.of(), rule("SCMP_ACT_ALLOW", "read", "mkdir")));
		assertThat(decide(asDefault, SeccompArch.X86_64, "getpid")).isEqualTo(expected);
		assertThat(decide(asDefault, SeccompArch.X86_64, "read")).isEqualTo(ALLOW);
	}

	@Test
	void errnoRetBelongsToItsOwnRule() {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", 99L, List.of(),
				rule("SCMP_ACT_ERRNO", "mkdir"), rule("SCMP_ACT_ERRNO", 2L, List.of("rmdir"))));
		assertThat(decide(program, SeccompArch.X86_64, "mkdir")).isEqualTo(errno(1));
		assertThat(decide(program, SeccompArch.X86_64, "rmdir")).isEqualTo(errno(2));
	}

	static Stream<Arguments> comparisons() {
		long[] values = { 0, 1, 5, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0005L,
				0x5_0000_0000L, 0x5_FFFF_FFFFL, Long.MAX_VALUE, Long.MIN_VALUE, 0x8000_0000_0000_0005L, -2, -1 };
		List<Arguments> cases = new ArrayList<>();
		for (String op : List.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
				"SCMP_CMP_GT")) {
			for (int i = 0; i < values.length; i++) {
				cases.add(Arguments.of(op, i % 6, values[i]));
			}
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0} args[{1}] {2}")
	@MethodSource("comparisons")
	void comparisonsAreUnsigned64Bit(String op, int index, long value) {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of(),
				rule("SCMP_ACT_ERRNO", 7L, List.of("getpid"), arg(index, op, value, 0))));
		for (long probe : probes(value)) {
			boolean expected = switch (op) {
				case "SCMP_CMP_NE" -> probe != value;
				case "SCMP_CMP_LT" -> Long.compareUnsigned(probe, value) < 0;
				case "SCMP_CMP_LE" -> Long.compareUnsigned(probe, value) <= 0;
				case "SCMP_CMP_EQ" -> probe == value;
				case "SCMP_CMP_GE" -> Long.compareUnsigned(probe, value) >= 0;
				case "SCMP_CMP_GT" -> Long.compareUnsigned(probe, value) > 0;
				default -> throw new IllegalArgumentException(op);
			};
			long[] args = argsWith(index, probe);
			assertThat(decide(program, SeccompArch.X86_64, "getpid", args))
				.as("%s args[%d]=0x%x against 0x%x", op, index, probe, value)
				.isEqualTo(expected ? errno(7) : ALLOW);
		}
	}

	@Test
	void maskedEqualComparesTheMaskedArgumentWithValueTwo() {
		long[] masks = { 0, 0xFF, 0xFFFF_FFFFL, 0xFFFF_FFFF_0000_0000L, Long.MIN_VALUE, -1, 0x7E02_0000L };
		for (long mask : masks) {
			for (long datum : new long[] { 0, mask, mask & 0x0F0F_0F0F_0F0F_0F0FL, 0x1_0000_0000L, 0x8000_0000L }) {
				SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of(),
						rule("SCMP_ACT_ERRNO", 7L, List.of("getpid"), arg(2, "SCMP_CMP_MASKED_EQ", mask, datum))));
				for (long probe : probes(datum | 0x10_0000_0100L)) {
					boolean expected = (probe & mask) == datum;
					assertThat(decide(program, SeccompArch.X86_64, "getpid", argsWith(2, probe)))
						.as("args[2]=0x%x & 0x%x == 0x%x", probe, mask, datum)
						.isEqualTo(expected ? errno(7) : ALLOW);
				}
			}
		}
	}

	@Test
	void argumentsOfOneRuleMustAllMatch() {
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, List.of(), rule("SCMP_ACT_ALLOW", null,
				List.of("socket"), arg(0, "SCMP_CMP_EQ", 1, 0), arg(1, "SCMP_CMP_GT", 10, 0))));
		assertThat(decide(program, SeccompArch.X86_64, "socket", 1, 11)).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "socket", 1, 10)).isEqualTo(errno(1));
		assertThat(decide(program, SeccompArch.X86_64, "socket", 2, 11)).isEqualTo(errno(1));
		assertThat(decide(program, SeccompArch.X86_64, "socket", 0x1_0000_0001L, 11)).isEqualTo(errno(1));
	}

	@Test
	void rulesForOneSystemCallAreTriedInOrder() {
		// like Docker's personality rules, then a catch-all
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, List.of(),
				rule("SCMP_ACT_ALLOW", null, List.of("personality"), arg(0, "SCMP_CMP_EQ", 0, 0)),
				rule("SCMP_ACT_ALLOW", null, List.of("personality"), arg(0, "SCMP_CMP_EQ", 8, 0)),
				rule("SCMP_ACT_ERRNO", 22L, List.of("personality"), arg(0, "SCMP_CMP_GE", 8, 0)),
				rule("SCMP_ACT_TRAP", "personality"), rule("SCMP_ACT_LOG", "personality")));
		assertThat(decide(program, SeccompArch.X86_64, "personality", 0)).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "personality", 8)).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "personality", 9)).isEqualTo(errno(22));
		assertThat(decide(program, SeccompArch.X86_64, "personality", 3)).isEqualTo(0x00030000);
	}

	@Test
	void conditionalRulesThatMatchNothingFallBackToTheDefault() {
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", 38L, List.of(),
				rule("SCMP_ACT_ALLOW", null, List.of("clone"), arg(0, "SCMP_CMP_MASKED_EQ", 0x7E02_0000L, 0)),
				rule("SCMP_ACT_ALLOW", "read")));
		assertThat(decide(program, SeccompArch.X86_64, "clone", 0x11)).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "clone", 0x1000_0000L)).isEqualTo(errno(38));
	}

	@Test
	void aRuleRepeatingTheDefaultActionIsDroppedAsRuncDoes() {
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, List.of(),
				rule("SCMP_ACT_ERRNO", 1L, List.of("personality"), arg(0, "SCMP_CMP_EQ", 1, 0)),
				rule("SCMP_ACT_ALLOW", "personality")));
		assertThat(decide(program, SeccompArch.X86_64, "personality", 1)).isEqualTo(ALLOW);
	}

	@Test
	void architecturesNotInTheProfileGetKillProcess() {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86_64"),
				rule("SCMP_ACT_ERRNO", "mkdir")));
		assertThat(run(program, AUDIT_ARCH_X86_64, 39)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_I386, 20)).isEqualTo(KILL_PROCESS);
		assertThat(run(program, AUDIT_ARCH_AARCH64, 172)).isEqualTo(KILL_PROCESS);
		assertThat(run(program, AUDIT_ARCH_ARM, 20)).isEqualTo(KILL_PROCESS);
		assertThat(run(program, 0, 0)).isEqualTo(KILL_PROCESS);
		assertThat(run(program, -1, 0)).isEqualTo(KILL_PROCESS);
	}

	@Test
	void withoutArchitecturesOnlyTheHostIsFiltered() {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of(), rule("SCMP_ACT_ERRNO", "mkdir")));
		assertThat(run(program, AUDIT_ARCH_X86_64, 83)).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_X86_64, X32_BIT | 83)).isEqualTo(KILL_PROCESS);
		assertThat(run(program, AUDIT_ARCH_I386, 39)).isEqualTo(KILL_PROCESS);
	}

	@Test
	void theHostArchitectureIsFilteredEvenWhenNotListed() {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86"),
				rule("SCMP_ACT_ERRNO", "mkdir")));
		assertThat(run(program, AUDIT_ARCH_X86_64, 83)).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_I386, 39)).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_I386, 83)).isEqualTo(ALLOW);
	}

	@Test
	void x32SystemCallsNeverMatchX8664Rules() {
		SeccompProgram withoutX32 = compile(profile("SCMP_ACT_ERRNO", null, List.of("SCMP_ARCH_X86_64"),
				rule("SCMP_ACT_ALLOW", "getpid", "mkdir")));
		assertThat(run(withoutX32, AUDIT_ARCH_X86_64, 39)).isEqualTo(ALLOW);
		assertThat(run(withoutX32, AUDIT_ARCH_X86_64, X32_BIT | 39)).isEqualTo(KILL_PROCESS);
		assertThat(run(withoutX32, AUDIT_ARCH_X86_64, X32_BIT | 83)).isEqualTo(KILL_PROCESS);
		assertThat(run(withoutX32, AUDIT_ARCH_X86_64, 0xFFFF_FFFF)).isEqualTo(KILL_PROCESS);

		SeccompProgram withX32 = compile(profile("SCMP_ACT_ERRNO", null, X86_FAMILY,
				rule("SCMP_ACT_ALLOW", "getpid", "rt_sigaction")));
		assertThat(run(withX32, AUDIT_ARCH_X86_64, 39)).isEqualTo(ALLOW);
		assertThat(run(withX32, AUDIT_ARCH_X86_64, X32_BIT | 39)).isEqualTo(ALLOW);
		assertThat(run(withX32, AUDIT_ARCH_X86_64, 13)).isEqualTo(ALLOW);
		// x32 has its own rt_sigaction (512); the x86_64 number with the x32 bit is not it
		assertThat(run(withX32, AUDIT_ARCH_X86_64, X32_BIT | 512)).isEqualTo(ALLOW);
		assertThat(run(withX32, AUDIT_ARCH_X86_64, X32_BIT | 13)).isEqualTo(errno(1));
		// above x86_64's highest listed number (39), so newer than the profile
		assertThat(run(withX32, AUDIT_ARCH_X86_64, 512)).isEqualTo(errno(38));
		assertThat(run(withX32, AUDIT_ARCH_X86_64, X32_BIT | 83)).isEqualTo(errno(1));
		assertThat(run(withX32, AUDIT_ARCH_I386, 20)).isEqualTo(ALLOW);
		assertThat(run(withX32, AUDIT_ARCH_I386, 39)).isEqualTo(errno(1));

		SeccompProgram onlyX32 = compile(profile("SCMP_ACT_ERRNO", null, List.of("SCMP_ARCH_X32"),
				rule("SCMP_ACT_ALLOW", "getpid")), "aarch64");
		assertThat(run(onlyX32, AUDIT_ARCH_X86_64, X32_BIT | 39)).isEqualTo(ALLOW);
		assertThat(run(onlyX32, AUDIT_ARCH_X86_64, 39)).isEqualTo(KILL_PROCESS);
	}

	@Test
	void i386ArgumentsHaveNoHighWord() {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86"),
				rule("SCMP_ACT_ERRNO", 7L, List.of("personality"), arg(0, "SCMP_CMP_EQ", 0xFFFF_FFFFL, 0))));
		assertThat(run(program, AUDIT_ARCH_I386, 136, 0xFFFF_FFFFL)).isEqualTo(errno(7));
		assertThat(run(program, AUDIT_ARCH_I386, 136, 0xFFFF_FFFEL)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_X86_64, 135, 0xFFFF_FFFFL)).isEqualTo(errno(7));
		assertThat(run(program, AUDIT_ARCH_X86_64, 135, -1)).isEqualTo(ALLOW);
	}

	@Test
	void aarch64HostsUseTheGenericTableAndSkipArm() {
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"),
				rule("SCMP_ACT_ALLOW", "getpid", "openat", "fstat", "newfstatat", "mmap", "mkdir")), "arm64");
		assertThat(run(program, AUDIT_ARCH_AARCH64, 172)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_AARCH64, 56)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_AARCH64, 79)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_AARCH64, 80)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_AARCH64, 222)).isEqualTo(ALLOW);
		assertThat(run(program, AUDIT_ARCH_AARCH64, 34)).isEqualTo(errno(1));
		assertThat(run(program, AUDIT_ARCH_ARM, 20)).isEqualTo(KILL_PROCESS);
		assertThat(run(program, AUDIT_ARCH_X86_64, 39)).isEqualTo(KILL_PROCESS);
	}

	@Test
	void unknownSystemCallNamesAreSkipped() {
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, X86_FAMILY,
				rule("SCMP_ACT_ALLOW", "getpid", "no_such_syscall", "arm_fadvise64_64"),
				rule("SCMP_ACT_ALLOW", "only_on_a_future_kernel")));
		assertThat(decide(program, SeccompArch.X86_64, "getpid")).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86, "getpid")).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X32, "getpid")).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "close")).isEqualTo(errno(1));
	}

	@Test
	void aProfileWithoutRulesReturnsTheDefaultAction() {
		SeccompProgram program = compile(profile("SCMP_ACT_LOG", null, X86_FAMILY));
		assertThat(run(program, AUDIT_ARCH_X86_64, 0)).isEqualTo(0x7ffc0000);
		assertThat(run(program, AUDIT_ARCH_X86_64, X32_BIT)).isEqualTo(0x7ffc0000);
		assertThat(run(program, AUDIT_ARCH_I386, 1)).isEqualTo(0x7ffc0000);
		assertThat(run(program, AUDIT_ARCH_AARCH64, 1)).isEqualTo(KILL_PROCESS);
	}

	@Test
	void fourHundredSystemCallsOnThreeArchitecturesStayFastAndSmall() {
		Set<String> names = new TreeSet<>(SyscallTable.of(SeccompArch.X86_64).names());
		for (String name : new TreeSet<>(SyscallTable.of(SeccompArch.X86).names())) {
			if (names.size() < 400) {
				names.add(name);
			}
		}
		assertThat(names).hasSize(400);
		List<String> allowed = new ArrayList<>(names);
		allowed.removeAll(List.of("mkdir", "reboot", "kexec_load", "ptrace", "mount"));
		SeccompProgram program = compile(profile("SCMP_ACT_ERRNO", null, X86_FAMILY,
				rule("SCMP_ACT_ALLOW", allowed.toArray(String[]::new)),
				rule("SCMP_ACT_ALLOW", null, List.of("personality"), arg(0, "SCMP_CMP_EQ", 8, 0))));
		assertThat(program.instructionCount()).isLessThan(SeccompCompiler.MAX_INSTRUCTIONS);
		int longestPath = 0;
		for (SeccompArch arch : List.of(SeccompArch.X86_64, SeccompArch.X86, SeccompArch.X32)) {
			SyscallTable table = SyscallTable.of(arch);
			for (String name : table.names()) {
				int expected = (allowed.contains(name)) ? ALLOW : errno(1);
				ClassicBpf.Outcome outcome = ClassicBpf.execute(program.filter(),
						new SeccompData(table.number(name).getAsInt(), arch.auditArch()));
				assertThat(outcome.action()).as("%s on %s", name, arch).isEqualTo(expected);
				longestPath = Math.max(longestPath, outcome.executed());
			}
		}
		assertThat(longestPath).isLessThanOrEqualTo(32);
		for (SeccompArch arch : List.of(SeccompArch.X86_64, SeccompArch.X86, SeccompArch.X32)) {
			int highest = SyscallTable.of(arch).names().stream().filter(names::contains)
				.mapToInt((name) -> SyscallTable.of(arch).number(name).getAsInt()).max().getAsInt();
			assertThat(run(program, arch.auditArch(), highest + 1)).as("%s above %d", arch, highest)
				.isEqualTo(errno(38));
		}
		assertThat(run(program, AUDIT_ARCH_X86_64, 10_000)).isEqualTo(errno(38));
		assertThat(run(program, AUDIT_ARCH_X86_64, -1)).isEqualTo(errno(38));
	}

	@Test
	void fourHundredDistinctActionsStillFit() {
		List<String> names = new ArrayList<>(new TreeSet<>(SyscallTable.of(SeccompArch.X86).names())).subList(0, 400);
		List<SeccompRule> rules = new ArrayList<>();
		for (int i = 0; i < names.size(); i++) {
			rules.add(rule("SCMP_ACT_ERRNO", (long) (i + 2), List.of(names.get(i))));
		}
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, X86_FAMILY, rules.toArray(SeccompRule[]::new)));
		assertThat(program.instructionCount()).isLessThan(SeccompCompiler.MAX_INSTRUCTIONS);
		for (SeccompArch arch : List.of(SeccompArch.X86_64, SeccompArch.X86, SeccompArch.X32)) {
			for (int i = 0; i < names.size(); i++) {
				int number = SyscallTable.of(arch).number(names.get(i)).orElse(-1);
				if (number != -1) {
					assertThat(run(program, arch.auditArch(), number)).isEqualTo(errno(i + 2));
				}
			}
		}
	}

	@Test
	void argumentRulesFurtherThanAByteJumpAwayStillResolve() {
		List<SeccompRule> rules = new ArrayList<>();
		for (int value = 0; value < 40; value++) {
			for (String name : List.of("ioctl", "fcntl")) {
				rules.add(rule("SCMP_ACT_ERRNO", (long) value + 100, List.of(name), arg(0, "SCMP_CMP_EQ", value, 0),
						arg(1, "SCMP_CMP_NE", 5, 0), arg(2, "SCMP_CMP_LE", 1L << 40, 0),
						arg(3, "SCMP_CMP_MASKED_EQ", 0xF0, 0x10)));
			}
		}
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of(), rules.toArray(SeccompRule[]::new)));
		assertThat(ClassicBpf.longJumps(program.filter())).isPositive();
		for (String name : List.of("ioctl", "fcntl")) {
			assertThat(decide(program, SeccompArch.X86_64, name, 0, 0, 0, 0x10)).isEqualTo(errno(100));
			assertThat(decide(program, SeccompArch.X86_64, name, 39, 6, 1L << 40, 0x1F)).isEqualTo(errno(139));
			assertThat(decide(program, SeccompArch.X86_64, name, 39, 5, 0, 0x10)).isEqualTo(ALLOW);
			assertThat(decide(program, SeccompArch.X86_64, name, 40, 0, 0, 0x10)).isEqualTo(ALLOW);
		}
		assertThat(decide(program, SeccompArch.X86_64, "getpid")).isEqualTo(ALLOW);
	}

	@Test
	void aFilterLongerThanTheKernelAcceptsIsRejected() {
		List<SeccompRule> rules = new ArrayList<>();
		for (int value = 0; value < 300; value++) {
			rules.add(rule("SCMP_ACT_ERRNO", null, List.of("ioctl"), arg(0, "SCMP_CMP_EQ", value, 0),
					arg(1, "SCMP_CMP_EQ", value, 0), arg(2, "SCMP_CMP_EQ", value, 0), arg(3, "SCMP_CMP_EQ", value, 0)));
		}
		assertThatExceptionOfType(SpecException.class)
			.isThrownBy(() -> compile(profile("SCMP_ACT_ALLOW", null, List.of(), rules.toArray(SeccompRule[]::new))))
			.withMessageStartingWith("linux.seccomp: the filter needs ")
			.withMessageContaining("limit of 4096");
	}

	@Test
	void flagsAreReturnedAsSeccompFilterFlagBits() {
		Seccomp seccomp = new Seccomp("SCMP_ACT_ALLOW", null, List.of(),
				List.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
				List.of());
		assertThat(compile(seccomp).flags()).isEqualTo(7);
		assertThat(compile(profile("SCMP_ACT_ALLOW", null, List.of())).flags()).isZero();
		Seccomp log = new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of("SECCOMP_FILTER_FLAG_LOG"), List.of());
		assertThat(compile(log).flags()).isEqualTo(SeccompProgram.FLAG_LOG);
	}

	@Test
	void filterIsLittleEndianSockFilterArray() {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null, List.of()));
		byte[] filter = program.filter();
		assertThat(filter).hasSize(program.instructionCount() * 8);
		// ld [4] (seccomp_data.arch)
		assertThat(Arrays.copyOf(filter, 8)).containsExactly(0x20, 0, 0, 0, 4, 0, 0, 0);
		filter[0] = 99;
		assertThat(program.filter()[0]).isEqualTo((byte) 0x20);
		ClassicBpf.verify(program.filter());
	}

	@Test
	void profilesReadFromJsonKeepUnsigned64BitValues() {
		String json = """
				{"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "linux": {"seccomp": {
				  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
				  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
				  "syscalls": [
				    {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
				     "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
				    {"names": ["fcntl"], "action": "SCMP_ACT_ALLOW",
				     "args": [{"index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"}]},
				    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
				     "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
				    {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
				  ]}}}
				""";
		SeccompProgram program = compile(RuntimeSpec.parse(json).linux().seccomp());
		assertThat(decide(program, SeccompArch.X86_64, "personality", 0xFFFF_FFFFL)).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "personality", -1)).isEqualTo(errno(1));
		assertThat(decide(program, SeccompArch.X86_64, "fcntl", 0, -1)).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "fcntl", 0, 0xFFFF_FFFFL)).isEqualTo(errno(1));
		assertThat(decide(program, SeccompArch.X86_64, "clone", 0x0111_0011L)).isEqualTo(ALLOW);
		assertThat(decide(program, SeccompArch.X86_64, "clone", 0x1000_0000L)).isEqualTo(errno(1));
		assertThat(decide(program, SeccompArch.X32, "clone3")).isEqualTo(errno(38));
		assertThat(decide(program, SeccompArch.X86, "clone3")).isEqualTo(errno(38));
	}

	@Test
	void unknownActionNamesTheRulesField() {
		Seccomp seccomp = profile("SCMP_ACT_ERRNO", null, List.of(), rule("SCMP_ACT_ALLOW", "read"),
				rule("SCMP_ACT_ALLOW", "write"), rule("SCMP_ACT_ALLOW", "close"), rule("SCMP_ACT_FOO", "getpid"));
		assertThatExceptionOfType(SpecException.class).isThrownBy(() -> compile(seccomp))
			.withMessage("linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");
	}

	@Test
	void invalidProfilesNameTheField() {
		assertRejected(profile("SCMP_ACT_NOPE", null, List.of()),
				"linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");
		assertRejected(profile("SCMP_ACT_ERRNO", 65536L, List.of()),
				"linux.seccomp.defaultErrnoRet: must be 0..65535, got 65536");
		assertRejected(profile("SCMP_ACT_NOTIFY", null, List.of()), "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY");
		assertRejected(profile("SCMP_ACT_ALLOW", null, List.of(), rule("SCMP_ACT_NOTIFY", "mkdir")),
				"linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY is not supported");
		assertRejected(profile("SCMP_ACT_ALLOW", null, List.of(), rule("SCMP_ACT_TRACE", -1L, List.of("mkdir"))),
				"linux.seccomp.syscalls[0].errnoRet: must be 0..65535, got -1");
		assertRejected(profile("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11")),
				"linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_PDP11\"");
		assertRejected(profile("SCMP_ACT_ALLOW", null, List.of(), rule("SCMP_ACT_ALLOW", "read"),
				rule("SCMP_ACT_ERRNO", null, List.of("mkdir"), arg(0, "SCMP_CMP_EQ", 1, 0),
						arg(1, "SCMP_CMP_ABOUT", 1, 0))),
				"linux.seccomp.syscalls[1].args[1].op: unknown operator \"SCMP_CMP_ABOUT\"");
		assertRejected(profile("SCMP_ACT_ALLOW", null, List.of(),
				rule("SCMP_ACT_ERRNO", null, List.of("mkdir"), arg(6, "SCMP_CMP_EQ", 1, 0))),
				"linux.seccomp.syscalls[0].args[0].index: must be 0..5, got 6");
		assertRejected(profile("SCMP_ACT_ALLOW", null, List.of(), rule("SCMP_ACT_ERRNO", "mkdir", "")),
				"linux.seccomp.syscalls[0].names[1]: empty system call name");
		assertRejected(new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of("SECCOMP_FILTER_FLAG_NEW_LISTENER"),
				List.of()), "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"");
		assertRejected(new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
				List.of()), "linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported");
	}

	@Test
	void rulesThatAreDroppedAreStillValidated() {
		assertRejected(profile("SCMP_ACT_ALLOW", null, List.of(),
				rule("SCMP_ACT_ALLOW", null, List.of("no_such_syscall"), arg(0, "SCMP_CMP_MAYBE", 0, 0))),
				"linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_MAYBE\"");
	}

	@Test
	void architecturesWithoutTablesAreSkippedButUnsupportedHostsAreNot() {
		SeccompProgram program = compile(profile("SCMP_ACT_ALLOW", null,
				List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390X", "SCMP_ARCH_RISCV64")));
		assertThat(run(program, 0xC0000015, 1)).isEqualTo(KILL_PROCESS);
		assertRejected(profile("SCMP_ACT_ALLOW", null, List.of()), "riscv64",
				"linux.seccomp: seccomp filters are not supported on the host architecture \"riscv64\"");
	}

	private static void assertRejected(Seccomp seccomp, String messageStart) {
		assertRejected(seccomp, "amd64", messageStart);
	}

	private static void assertRejected(Seccomp seccomp, String host, String messageStart) {
		assertThatExceptionOfType(SpecException.class).isThrownBy(() -> SeccompCompiler.compile(seccomp, host))
			.withMessageStartingWith(messageStart);
	}

	private static SeccompProgram compile(Seccomp seccomp) {
		return compile(seccomp, "amd64");
	}

	private static SeccompProgram compile(Seccomp seccomp, String host) {
		SeccompProgram program = SeccompCompiler.compile(seccomp, host);
		ClassicBpf.verify(program.filter());
		return program;
	}

	private static int decide(SeccompProgram program, SeccompArch arch, String name, long... args) {
		int number = SyscallTable.of(arch).number(name).orElseThrow();
		return run(program, arch.auditArch(), number, args);
	}

	private static int run(SeccompProgram program, int auditArch, int nr, long... args) {
		return ClassicBpf.run(program.filter(), new SeccompData(nr, auditArch, args));
	}

	/** The value itself, its neighbours and values that differ from it in one 32-bit half only. */
	private static long[] probes(long value) {
		long high = value & 0xFFFF_FFFF_0000_0000L;
		long low = value & 0xFFFF_FFFFL;
		return new long[] { value, value - 1, value + 1, 0, -1, Long.MIN_VALUE, Long.MAX_VALUE, high, low,
				high | ((low + 1) & 0xFFFF_FFFFL), high | ((low - 1) & 0xFFFF_FFFFL), (high + (1L << 32)) | low,
				(high - (1L << 32)) | low, value ^ Long.MIN_VALUE };
	}

	/** Arguments with {@code value} at {@code index} and distracting values everywhere else. */
	private static long[] argsWith(int index, long value) {
		long[] args = new long[6];
		for (int i = 0; i < args.length; i++) {
			args[i] = ~value + i;
		}
		args[index] = value;
		return args;
	}

	private static int errno(int errno) {
		return 0x00050000 | errno;
	}

	private static Seccomp profile(String defaultAction, Long defaultErrnoRet, List<String> architectures,
			SeccompRule... rules) {
		return new Seccomp(defaultAction, defaultErrnoRet, architectures, List.of(), List.of(rules));
	}

	private static SeccompRule rule(String action, String... names) {
		return new SeccompRule(List.of(names), action, null, List.of());
	}

	private static SeccompRule rule(String action, Long errnoRet, List<String> names, SeccompArg... args) {
		return new SeccompRule(names, action, errnoRet, List.of(args));
	}

	private static SeccompArg arg(int index, String op, long value, long valueTwo) {
		return new SeccompArg(index, value, valueTwo, op);
	}

}
