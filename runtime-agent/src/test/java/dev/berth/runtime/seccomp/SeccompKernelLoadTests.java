package dev.berth.runtime.seccomp;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Native;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.spec.RuntimeSpec.Seccomp;
import dev.berth.runtime.spec.RuntimeSpec.SeccompArg;
import dev.berth.runtime.spec.RuntimeSpec.SeccompRule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Loads compiled filters into the kernel for real, in a child JVM ({@link SeccompLoadProbe}):
 * the kernel's own checks accept the program and its verdicts match the profile.
 */
@Tag("privileged")
class SeccompKernelLoadTests {

	private static final int SIGSYS_EXIT = 128 + 31;

	@TempDir
	Path temp;

	@BeforeAll
	static void onX8664Linux() {
		assumeTrue("Linux".equals(System.getProperty("os.name")) && "amd64".equals(System.getProperty("os.arch")),
				"the probe uses x86_64 system call numbers");
	}

	@Test
	void allowListOfEverySystemCallButTwoRunsAJvm() throws Exception {
		List<String> allowed = new ArrayList<>(SyscallTable.of(SeccompArch.X86_64).names());
		allowed.removeAll(List.of("mkdir", "fchdir"));
		Seccomp profile = new Seccomp("SCMP_ACT_ERRNO", 95L,
				List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), List.of(),
				List.of(new SeccompRule(allowed, "SCMP_ACT_ALLOW", null, List.of()),
						new SeccompRule(List.of("fchdir"), "SCMP_ACT_ERRNO", 77L,
								List.of(new SeccompArg(0, 9999, 0, "SCMP_CMP_EQ"))),
						new SeccompRule(List.of("fchdir"), "SCMP_ACT_ALLOW", null, List.of())));
		SeccompProgram program = SeccompCompiler.compile(profile, "amd64");
		Path directory = this.temp.resolve("must-not-exist");

		Probe probe = runProbe("calls", program, directory.toString());

		assertThat(probe.exitCode()).as(probe.output()).isZero();
		assertThat(probe.results()).containsEntry("no_new_privs", "ok 0")
			.containsEntry("load", "ok 0")
			.containsEntry("mkdir", "errno 95")
			.containsEntry("fchdir-9999", "errno 77")
			.containsEntry("fchdir-9998", "errno 9")
			.containsEntry("fchdir-high-9999", "errno 9")
			.containsEntry("done", "ok 0");
		assertThat(probe.results().get("getpid")).matches("ok [1-9][0-9]*");
		assertThat(directory).doesNotExist();
	}

	@Test
	void systemCallNewerThanTheAllowListGetsEnosys() throws Exception {
		// every system call numbered below faccessat2 (439), except mkdir
		SyscallTable table = SyscallTable.of(SeccompArch.X86_64);
		List<String> allowed = table.names()
			.stream()
			.filter((name) -> table.number(name).getAsInt() < 439 && !name.equals("mkdir"))
			.toList();
		Seccomp profile = new Seccomp("SCMP_ACT_ERRNO", 95L,
				List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), List.of(),
				List.of(new SeccompRule(allowed, "SCMP_ACT_ALLOW", null, List.of())));
		SeccompProgram program = SeccompCompiler.compile(profile, "amd64");
		Path directory = this.temp.resolve("must-not-exist");

		Probe probe = runProbe("newer", program, directory.toString());

		assumeTrue("ok 0".equals(probe.results().get("faccessat2-unfiltered")), "the kernel has no faccessat2");
		assertThat(probe.exitCode()).as(probe.output()).isZero();
		assertThat(probe.results()).containsEntry("load", "ok 0")
			.containsEntry("mkdir", "errno 95")
			.containsEntry("faccessat2", "errno 38")
			.containsEntry("done", "ok 0");
		assertThat(probe.results().get("getpid")).matches("ok [1-9][0-9]*");
		assertThat(directory).doesNotExist();
	}

	@Test
	void x32SystemCallOutsideTheProfileKillsTheProcess() throws Exception {
		Seccomp profile = new Seccomp("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86_64"), List.of(), List.of());
		SeccompProgram program = SeccompCompiler.compile(profile, "amd64");

		Probe probe = runProbe("x32", program, "");

		assertThat(probe.results()).as(probe.output()).containsEntry("load", "ok 0").doesNotContainKey("x32-getpid");
		assertThat(probe.exitCode()).as(probe.output()).isEqualTo(SIGSYS_EXIT);
	}

	private Probe runProbe(String mode, SeccompProgram program, String path) throws Exception {
		String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String classpath = location(SeccompLoadProbe.class) + File.pathSeparator + location(Native.class);
		Path output = this.temp.resolve(mode + ".out");
		Process process = new ProcessBuilder(launcher, "--enable-native-access=ALL-UNNAMED", "-cp",
				classpath, SeccompLoadProbe.class.getName(), mode, HexFormat.of().formatHex(program.filter()),
				Integer.toString(program.flags()), path)
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("probe did not finish: " + Files.readString(output));
		}
		String text = Files.readString(output, StandardCharsets.UTF_8);
		Map<String, String> results = new LinkedHashMap<>();
		for (String line : text.lines().toList()) {
			if (line.startsWith("probe: ")) {
				String[] parts = line.substring("probe: ".length()).split(" ", 2);
				results.put(parts[0], parts[1]);
			}
		}
		return new Probe(process.exitValue(), results, text);
	}

	private static String location(Class<?> type) throws URISyntaxException, IOException {
		return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
	}

	private record Probe(int exitCode, Map<String, String> results, String output) {
	}

}
