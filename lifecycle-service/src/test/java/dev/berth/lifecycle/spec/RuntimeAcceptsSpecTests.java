package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.ID;
import static dev.berth.lifecycle.spec.SpecFixtures.config;
import static dev.berth.lifecycle.spec.SpecFixtures.hostConfig;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.berth.runtime.seccomp.SeccompCompiler;
import dev.berth.runtime.seccomp.SeccompProgram;
import dev.berth.runtime.spec.RuntimeSpec;

/**
 * Berth's own runtime reads the specs built here and compiles their seccomp profiles, on every
 * architecture it supports, with default and with raised capabilities (which change the rules).
 */
class RuntimeAcceptsSpecTests {

	@ParameterizedTest
	@ValueSource(strings = { "amd64", "arm64" })
	void theRuntimeReadsTheSpecAndCompilesItsSeccompProfile(String architecture) {
		HostFacts host = on(architecture);
		for (String hostConfig : List.of("{}", "{'CapAdd': ['SYS_ADMIN', 'SYS_PTRACE']}", "{'CapDrop': ['ALL']}")) {
			ContainerSpec result = new SpecFactory(host).create(config("{'Cmd': ['sh']}"), hostConfig(hostConfig), ID);
			RuntimeSpec spec = RuntimeSpec.parse(new String(result.specJson(), StandardCharsets.UTF_8));
			assertThat(spec.linux().cgroupsPath()).isEqualTo("/berth/" + ID);
			assertThat(spec.linux().namespaces()).hasSize(5);
			SeccompProgram program = SeccompCompiler.compile(spec.linux().seccomp(), architecture);
			assertThat(program).isNotNull();
		}
	}

	private static HostFacts on(String architecture) {
		HostFacts host = SpecFixtures.host();
		return new HostFacts(architecture, host.kernelRelease(), host.capabilities(), host.cpus(), host.onlineCpus(),
				host.memoryNodes(), host.cgroup(), host.ipv6(), host.hostname(), host.hostsFile(), host.resolvConf(),
				Map.copyOf(host.networkSysctls()), host.extraMaskedPaths());
	}

}
