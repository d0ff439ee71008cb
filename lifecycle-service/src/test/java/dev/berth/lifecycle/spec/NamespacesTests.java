package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.config;
import static dev.berth.lifecycle.spec.SpecFixtures.hostConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.berth.lifecycle.InvalidArgumentException;

class NamespacesTests {

	private static final HostFacts V1 = SpecFixtures.host();

	private static final HostFacts V2 = SpecFixtures.host(new HostFacts.CgroupSupport(true, true, false, true), true);

	@Test
	void byDefaultEveryNamespaceIsNewAndCgroupsFollowTheHierarchy() {
		assertThat(types(namespaces("{}", V1))).containsExactly("mount", "network", "uts", "pid", "ipc");
		assertThat(types(namespaces("{}", V2))).containsExactly("mount", "network", "uts", "pid", "ipc", "cgroup");
		assertThat(types(namespaces("{'CgroupnsMode': 'private'}", V1))).contains("cgroup");
		assertThat(types(namespaces("{'CgroupnsMode': 'host'}", V2))).doesNotContain("cgroup");
	}

	@Test
	void bridgeAndNoneGetAnOwnNetworkNamespaceHostModesShareTheHosts() {
		for (String mode : List.of("bridge", "default", "none")) {
			assertThat(types(namespaces("{'NetworkMode': '" + mode + "'}", V1))).contains("network");
		}
		assertThat(types(namespaces(
				"{'NetworkMode': 'host', 'PidMode': 'host', 'IpcMode': 'host', 'UTSMode': 'host'}", V1)))
			.containsExactly("mount");
	}

	@Test
	void ipcNoneKeepsAnIpcNamespaceWithoutShm() {
		Namespaces none = Namespaces.of(config("{}"), hostConfig("{'IpcMode': 'none'}"), V1);
		assertThat(none.shm()).isFalse();
		assertThat(types(none.toSpec())).contains("ipc");
		assertThat(Namespaces.of(config("{}"), hostConfig("{'IpcMode': 'shareable'}"), V1).shm()).isTrue();
	}

	@Test
	void invalidModesAreRefusedInDockersWords() {
		assertThatThrownBy(() -> namespaces("{'IpcMode': 'weird'}", V1)).isInstanceOf(InvalidArgumentException.class)
			.hasMessage("invalid IPC mode: weird");
		assertThatThrownBy(() -> namespaces("{'PidMode': 'weird'}", V1)).hasMessage("invalid PID mode: weird");
		assertThatThrownBy(() -> namespaces("{'UTSMode': 'weird'}", V1)).hasMessage("invalid UTS mode: weird");
		assertThatThrownBy(() -> namespaces("{'CgroupnsMode': 'weird'}", V1))
			.hasMessage("invalid cgroup namespace mode: weird");
		assertThatThrownBy(() -> Namespaces.of(config("{'Hostname': 'h'}"), hostConfig("{'UTSMode': 'host'}"), V1))
			.hasMessage("conflicting options: hostname and the UTS mode");
	}

	@Test
	void joiningAnotherContainerOrAUserNetworkIsNotSupportedYet() {
		assertThatThrownBy(() -> namespaces("{'NetworkMode': 'container:abc'}", V1))
			.isInstanceOf(UnsupportedFeatureException.class)
			.hasMessageContaining("NetworkMode container:abc")
			.extracting((ex) -> ((UnsupportedFeatureException) ex).feature())
			.isEqualTo("container-namespaces");
		assertThatThrownBy(() -> namespaces("{'PidMode': 'container:abc'}", V1))
			.isInstanceOf(UnsupportedFeatureException.class);
		assertThatThrownBy(() -> namespaces("{'NetworkMode': 'backend'}", V1))
			.isInstanceOf(UnsupportedFeatureException.class)
			.hasMessageContaining("network backend");
	}

	private static JsonNode namespaces(String hostConfig, HostFacts host) {
		return Namespaces.of(config("{}"), hostConfig(hostConfig), host).toSpec();
	}

	private static List<String> types(JsonNode namespaces) {
		return namespaces.valueStream().map((namespace) -> namespace.get("type").asString()).toList();
	}

}
