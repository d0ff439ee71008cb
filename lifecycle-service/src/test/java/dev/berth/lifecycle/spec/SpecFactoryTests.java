package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.ID;
import static dev.berth.lifecycle.spec.SpecFixtures.config;
import static dev.berth.lifecycle.spec.SpecFixtures.hostConfig;
import static dev.berth.lifecycle.spec.SpecFixtures.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;

class SpecFactoryTests {

	private final SpecFactory factory = new SpecFactory(SpecFixtures.host());

	@Test
	void aPlainContainerGetsDockersSpec() {
		ContainerSpec result = create("{'Cmd': ['sh', '-c', 'true'], 'Env': ['A=1']}", "{}");
		ObjectNode spec = result.spec();
		assertThat(spec.get("ociVersion").asString()).isEqualTo("1.0.2");
		JsonNode process = spec.get("process");
		assertThat(process.get("terminal").asBoolean()).isFalse();
		assertThat(strings(process.get("args"))).containsExactly("sh", "-c", "true");
		assertThat(strings(process.get("env"))).containsExactly(SpecFactory.DEFAULT_PATH, "HOSTNAME=0123456789ab",
				"A=1");
		assertThat(process.get("cwd").asString()).isEqualTo("/");
		assertThat(process.has("user")).isFalse();
		assertThat(process.has("noNewPrivileges")).isFalse();
		assertThat(process.get("oomScoreAdj").asInt()).isZero();
		for (String set : new String[] { "bounding", "effective", "permitted" }) {
			assertThat(strings(process.get("capabilities").get(set))).isEqualTo(Capabilities.DEFAULTS);
		}
		assertThat(process.get("capabilities").has("inheritable")).isFalse();
		assertThat(spec.get("root").toString()).isEqualTo("{\"path\":\"rootfs\",\"readonly\":false}");
		assertThat(spec.get("hostname").asString()).isEqualTo("0123456789ab");
		JsonNode linux = spec.get("linux");
		assertThat(linux.get("cgroupsPath").asString()).isEqualTo("/berth/" + ID);
		assertThat(strings(linux.get("maskedPaths"))).containsAll(SpecFactory.MASKED_PATHS);
		assertThat(strings(linux.get("readonlyPaths"))).isEqualTo(SpecFactory.READONLY_PATHS);
		assertThat(linux.get("seccomp").get("defaultAction").asString()).isEqualTo("SCMP_ACT_ERRNO");
		assertThat(linux.get("resources").get("devices")).hasSize(8);
		assertThat(linux.get("devices")).isEmpty();
		assertThat(linux.get("sysctl").has("net.ipv4.ping_group_range")).isTrue();
		assertThat(SpecMountsTests.destinations(spec.get("mounts"))).containsExactly("/proc", "/dev", "/dev/pts",
				"/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm");
		assertThat(result.files()).extracting(MountedFile::target).containsExactly("/etc/hostname", "/etc/hosts",
				"/etc/resolv.conf");
		assertThat(result.warnings()).isEmpty();
		assertThat(new String(result.specJson())).startsWith("{\"ociVersion\":\"1.0.2\"");
	}

	@Test
	void entrypointCmdWorkingDirTerminalAndEnvOverrides() {
		ObjectNode spec = create("""
				{'Entrypoint': ['/entry'], 'Cmd': ['a', 'b'], 'WorkingDir': '/srv', 'Tty': true,
				 'Hostname': 'web', 'Domainname': 'example.org', 'Env': ['PATH=/opt/bin', 'TERM', 'B=2']}""", "{}").spec();
		assertThat(strings(spec.get("process").get("args"))).containsExactly("/entry", "a", "b");
		assertThat(spec.get("process").get("cwd").asString()).isEqualTo("/srv");
		assertThat(spec.get("process").get("terminal").asBoolean()).isTrue();
		// TERM without a value unsets Docker's TERM=xterm
		assertThat(strings(spec.get("process").get("env"))).containsExactly("PATH=/opt/bin", "HOSTNAME=web", "B=2");
		assertThat(spec.get("hostname").asString()).isEqualTo("web");
		assertThat(spec.get("linux").get("sysctl").get("kernel.domainname").asString()).isEqualTo("example.org");
		assertThat(strings(create("{'Cmd': ['sh'], 'Tty': true}", "{}").spec().get("process").get("env")))
			.contains("TERM=xterm");
	}

	@Test
	void hostsNamesDependOnTheNetworkAndUtsModes() {
		assertThat(create("{'Cmd': ['sh']}", "{'NetworkMode': 'host'}").spec().get("hostname").asString())
			.isEqualTo("buildhost");
		assertThat(create("{'Cmd': ['sh']}", "{'UTSMode': 'host'}").spec().has("hostname")).isFalse();
		assertThat(this.factory.hostname(config("{}"), hostConfig("{}"), ID)).isEqualTo("0123456789ab");
	}

	@Test
	void privilegedContainersHaveEveryPowerTheEngineHas() {
		ObjectNode spec = create("{'Cmd': ['sh']}", "{'Privileged': true}").spec();
		assertThat(strings(spec.get("process").get("capabilities").get("bounding")))
			.isEqualTo(SpecFixtures.host().capabilities());
		JsonNode linux = spec.get("linux");
		assertThat(linux.has("seccomp")).isFalse();
		assertThat(linux.get("maskedPaths")).isEmpty();
		assertThat(linux.get("readonlyPaths")).isEmpty();
		assertThat(linux.get("resources").get("devices").toString())
			.isEqualTo("[{\"allow\":true,\"type\":\"a\",\"access\":\"rwm\"}]");
		assertThat(strings(SpecMountsTests.mount(spec.get("mounts"), "/sys").get("options"))).doesNotContain("ro");
	}

	@Test
	void securityAndResourceOptionsReachTheSpec() {
		ObjectNode spec = create("{'Cmd': ['sh']}", """
				{'SecurityOpt': ['no-new-privileges', 'seccomp=unconfined'], 'ReadonlyRootfs': true, 'OomScoreAdj': 500,
				 'ShmSize': 1048576, 'Memory': 33554432, 'PidsLimit': 10, 'CgroupParent': 'tenants/a',
				 'Ulimits': [{'Name': 'nofile', 'Soft': 100, 'Hard': 200}], 'Binds': ['/tmp:/data:ro']}""").spec();
		assertThat(spec.get("process").get("noNewPrivileges").asBoolean()).isTrue();
		assertThat(spec.get("process").get("oomScoreAdj").asInt()).isEqualTo(500);
		assertThat(spec.get("process").get("rlimits")).hasSize(1);
		assertThat(spec.get("root").get("readonly").asBoolean()).isTrue();
		assertThat(spec.get("linux").has("seccomp")).isFalse();
		assertThat(spec.get("linux").get("cgroupsPath").asString()).isEqualTo("/tenants/a/" + ID);
		assertThat(spec.get("linux").get("resources").get("memory").get("limit").asLong()).isEqualTo(32L << 20);
		assertThat(spec.get("linux").get("resources").get("pids").get("limit").asLong()).isEqualTo(10);
		assertThat(strings(SpecMountsTests.mount(spec.get("mounts"), "/dev/shm").get("options")))
			.contains("size=1048576");
		assertThat(strings(SpecMountsTests.mount(spec.get("mounts"), "/data").get("options")))
			.containsExactly("rbind", "ro", "rprivate");
	}

	@Test
	void whatDockerRefusesAndWhatIsNotSupportedYet() {
		assertThatThrownBy(() -> create("{}", "{}")).isInstanceOf(InvalidArgumentException.class)
			.hasMessage("No command specified");
		assertThatThrownBy(() -> create("{'Cmd': ['sh']}", "{'ShmSize': -1}"))
			.hasMessage("SHM size can not be less than 0");
		assertThatThrownBy(() -> create("{'Cmd': ['sh']}", "{'Init': true}"))
			.isInstanceOf(UnsupportedFeatureException.class)
			.extracting((ex) -> ((UnsupportedFeatureException) ex).feature())
			.isEqualTo("init");
	}

	private ContainerSpec create(String config, String hostConfig) {
		return this.factory.create(config(config), hostConfig(hostConfig), ID);
	}

}
