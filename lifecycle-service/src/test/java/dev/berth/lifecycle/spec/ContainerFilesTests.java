package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.config;
import static dev.berth.lifecycle.spec.SpecFixtures.hostConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.HostConfig;

class ContainerFilesTests {

	private static final HostFacts HOST = SpecFixtures.host();

	private static final HostFacts IPV6_HOST = SpecFixtures.host(HOST.cgroup(), true);

	@Test
	void hostnameHostsAndResolvConfWritableUnlessTheRootIsReadOnly() {
		List<MountedFile> files = files("{}", HOST, Set.of());
		assertThat(files).extracting(MountedFile::name).containsExactly("hostname", "hosts", "resolv.conf");
		assertThat(files).extracting(MountedFile::target).containsExactly("/etc/hostname", "/etc/hosts",
				"/etc/resolv.conf");
		assertThat(files).noneMatch(MountedFile::readOnly);
		assertThat(text(files.getFirst())).isEqualTo("0123456789ab\n");
		assertThat(files("{'ReadonlyRootfs': true}", HOST, Set.of())).allMatch(MountedFile::readOnly);
	}

	@Test
	void aFileTheClientMountsOverIsNotMade() {
		assertThat(files("{}", HOST, Set.of("/etc/resolv.conf"))).extracting(MountedFile::name)
			.containsExactly("hostname", "hosts");
	}

	@Test
	void hostsHasLoopbackNamesAndExtraHosts() {
		assertThat(hosts("{'ExtraHosts': ['db:10.0.0.5', 'v6:fd00::1']}", HOST))
			.isEqualTo("127.0.0.1\tlocalhost\n10.0.0.5\tdb\n");
		assertThat(hosts("{'ExtraHosts': ['db:10.0.0.5', 'v6:fd00::1']}", IPV6_HOST))
			.isEqualTo("""
					127.0.0.1\tlocalhost
					::1\tlocalhost ip6-localhost ip6-loopback
					fe00::\tip6-localnet
					ff00::\tip6-mcastprefix
					ff02::1\tip6-allnodes
					ff02::2\tip6-allrouters
					10.0.0.5\tdb
					fd00::1\tv6
					""");
	}

	@Test
	void aHostNetworkContainerSeesTheHostsFilesUnlessItAddsHosts() {
		assertThat(hosts("{'NetworkMode': 'host'}", HOST)).isEqualTo(HOST.hostsFile());
		assertThat(hosts("{'NetworkMode': 'host', 'ExtraHosts': ['db:10.0.0.5']}", HOST))
			.isEqualTo("127.0.0.1\tlocalhost\n10.0.0.5\tdb\n");
		assertThat(resolvConf("{'NetworkMode': 'host'}")).isEqualTo(HOST.resolvConf());
	}

	@Test
	void badExtraHostsInDockersWords() {
		assertThatThrownBy(() -> hosts("{'ExtraHosts': ['nocolon']}", HOST)).isInstanceOf(InvalidArgumentException.class)
			.hasMessage("bad format for add-host: \"nocolon\"");
		assertThatThrownBy(() -> hosts("{'ExtraHosts': ['db:10.0.0.256']}", HOST))
			.hasMessage("invalid IP address in add-host: \"10.0.0.256\"");
		assertThatThrownBy(() -> hosts("{'ExtraHosts': ['gw:host-gateway']}", HOST))
			.isInstanceOf(UnsupportedFeatureException.class);
	}

	@Test
	void resolvConfDropsTheHostsLoopbackNameserversForAnOwnNetwork() {
		assertThat(resolvConf("{}")).isEqualTo("nameserver 10.0.0.2\nsearch corp.example\n");
		HostConfig onlyLocal = hostConfig("{}");
		HostFacts stubOnly = new HostFacts("amd64", "6.1", HOST.capabilities(), 2, "0-1", "0", HOST.cgroup(), false,
				"h", "", "nameserver 127.0.0.1\nnameserver ::1\noptions ndots:2\n", HOST.networkSysctls(), List.of());
		assertThat(ContainerFiles.resolvConf(onlyLocal, namespaces(onlyLocal, stubOnly), stubOnly))
			.isEqualTo("nameserver 8.8.8.8\nnameserver 8.8.4.4\noptions ndots:2\n");
	}

	@Test
	void dnsOptionsReplaceTheHostsEachOnItsOwn() {
		assertThat(resolvConf("{'Dns': ['1.1.1.1', '127.0.0.11'], 'DnsOptions': ['ndots:1', 'rotate']}"))
			.isEqualTo("nameserver 1.1.1.1\nnameserver 127.0.0.11\nsearch corp.example\noptions ndots:1 rotate\n");
		assertThat(resolvConf("{'DnsSearch': ['a.example', 'b.example']}"))
			.isEqualTo("nameserver 10.0.0.2\nsearch a.example b.example\n");
		assertThat(resolvConf("{'NetworkMode': 'host', 'DnsSearch': ['.']}"))
			.isEqualTo("nameserver 127.0.0.53\nnameserver 10.0.0.2\n");
	}

	@Test
	void resolvConfKeepsLinesItDoesNotKnow() {
		ResolvConf parsed = ResolvConf.parse("# comment\ndomain old.example\nsearch new.example\nsortlist 10.0.0.0\n"
				+ "options edns0\noptions ndots:3\nnameserver 10.1.1.1\n");
		assertThat(parsed.render())
			.isEqualTo("nameserver 10.1.1.1\nsearch new.example\noptions edns0 ndots:3\nsortlist 10.0.0.0\n");
	}

	private static List<MountedFile> files(String hostConfig, HostFacts host, Set<String> userDestinations) {
		HostConfig parsed = hostConfig(hostConfig);
		return ContainerFiles.of(parsed, "0123456789ab", namespaces(parsed, host), host, userDestinations);
	}

	private static String hosts(String hostConfig, HostFacts host) {
		HostConfig parsed = hostConfig(hostConfig);
		return ContainerFiles.hosts(parsed.extraHosts(), namespaces(parsed, host), host);
	}

	private static String resolvConf(String hostConfig) {
		HostConfig parsed = hostConfig(hostConfig);
		return ContainerFiles.resolvConf(parsed, namespaces(parsed, HOST), HOST);
	}

	private static Namespaces namespaces(HostConfig hostConfig, HostFacts host) {
		return Namespaces.of(config("{}"), hostConfig, host);
	}

	private static String text(MountedFile file) {
		return new String(file.content(), StandardCharsets.UTF_8);
	}

}
