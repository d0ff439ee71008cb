package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.config;
import static dev.berth.lifecycle.spec.SpecFixtures.hostConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.InvalidArgumentException;

class SysctlsTests {

	private static final HostFacts HOST = SpecFixtures.host();

	@Test
	void anOwnNetworkNamespaceGetsDockersPingAndPortDefaults() {
		assertThat(sysctls("{}", Map.of(), "").toString())
			.contains("\"net.ipv4.ping_group_range\":\"0 2147483647\"", "\"net.ipv4.ip_unprivileged_port_start\":\"0\"");
		assertThat(sysctls("{'NetworkMode': 'host'}", Map.of(), "")).isEmpty();
	}

	@Test
	void theDomainNameIsSetThroughItsSysctlAndTheClientWins() {
		assertThat(sysctls("{}", Map.of(), "example.org").get("kernel.domainname").asString()).isEqualTo("example.org");
		assertThat(sysctls("{}", Map.of("net.ipv4.ip_unprivileged_port_start", "1024", "kernel.shmmax", "4096"), "")
			.toString()).contains("\"net.ipv4.ip_unprivileged_port_start\":\"1024\"", "\"kernel.shmmax\":\"4096\"");
	}

	@Test
	void onlySysctlsOfTheContainersOwnNamespacesAreAllowed() {
		assertThatThrownBy(() -> sysctls("{}", Map.of("kernel.pid_max", "1"), ""))
			.isInstanceOf(InvalidArgumentException.class)
			.hasMessage("sysctl \"kernel.pid_max\" is not in a separate kernel namespace");
		assertThatThrownBy(() -> sysctls("{'NetworkMode': 'host'}", Map.of("net.core.somaxconn", "1"), ""))
			.hasMessage("sysctl \"net.core.somaxconn\" is not allowed in the host's network namespace");
		assertThatThrownBy(() -> sysctls("{'IpcMode': 'host'}", Map.of("fs.mqueue.msg_max", "1"), ""))
			.hasMessage("sysctl \"fs.mqueue.msg_max\" is not allowed in the host's IPC namespace");
		assertThatThrownBy(() -> sysctls("{'UTSMode': 'host'}", Map.of("kernel.domainname", "x"), ""))
			.hasMessage("sysctl \"kernel.domainname\" is not allowed in the host's UTS namespace");
	}

	private static tools.jackson.databind.node.ObjectNode sysctls(String hostConfig, Map<String, String> requested,
			String domainname) {
		Namespaces namespaces = Namespaces.of(config("{}"), hostConfig(hostConfig), HOST);
		return Sysctls.of(requested, domainname, namespaces, HOST);
	}

}
