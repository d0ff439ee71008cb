package dev.berth.lifecycle.spec;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.HostConfig;

/**
 * The container's /etc/hostname, /etc/hosts and /etc/resolv.conf, as Docker writes them for a
 * container on the default bridge, with {@code --network none}, or on the host's network.
 * A file is left out when the client mounts something at its place.
 */
final class ContainerFiles {

	private static final String HOST_GATEWAY = "host-gateway";

	private static final List<String> IPV6_HOSTS = List.of("::1\tlocalhost ip6-localhost ip6-loopback",
			"fe00::\tip6-localnet", "ff00::\tip6-mcastprefix", "ff02::1\tip6-allnodes", "ff02::2\tip6-allrouters");

	private ContainerFiles() {
	}

	/**
	 * @param hostname the container's host name, for /etc/hostname
	 * @param userDestinations where the client mounts something: those files are not made
	 */
	static List<MountedFile> of(HostConfig hostConfig, String hostname, Namespaces namespaces, HostFacts host,
			Set<String> userDestinations) {
		boolean readOnly = hostConfig.readonlyRootfs();
		List<MountedFile> files = new ArrayList<>();
		add(files, userDestinations, new MountedFile("hostname", bytes(hostname + "\n"), "/etc/hostname", readOnly));
		add(files, userDestinations,
				new MountedFile("hosts", bytes(hosts(hostConfig.extraHosts(), namespaces, host)), "/etc/hosts", readOnly));
		add(files, userDestinations,
				new MountedFile("resolv.conf", bytes(resolvConf(hostConfig, namespaces, host)), "/etc/resolv.conf",
						readOnly));
		return List.copyOf(files);
	}

	/**
	 * The host's file for a host-network container without {@code ExtraHosts}; otherwise the
	 * loopback names (IPv6 ones when the container has IPv6) and the extra hosts. The
	 * container's own addresses join once it has an interface beyond loopback.
	 */
	static String hosts(List<String> extraHosts, Namespaces namespaces, HostFacts host) {
		List<String> extra = (extraHosts != null) ? extraHosts : List.of();
		List<String> records = new ArrayList<>();
		for (String entry : extra) {
			records.add(extraHost(entry, host.ipv6()));
		}
		if (namespaces.hostNetwork() && extra.isEmpty()) {
			return host.hostsFile();
		}
		StringBuilder text = new StringBuilder("127.0.0.1\tlocalhost\n");
		if (host.ipv6()) {
			IPV6_HOSTS.forEach((line) -> text.append(line).append('\n'));
		}
		records.stream().filter((record) -> !record.isEmpty()).forEach((record) -> text.append(record).append('\n'));
		return text.toString();
	}

	/** {@code name:address}, split at the first colon so IPv6 addresses keep theirs; empty to leave out. */
	private static String extraHost(String entry, boolean ipv6) {
		int colon = entry.indexOf(':');
		if (colon <= 0) {
			throw new InvalidArgumentException("bad format for add-host: \"" + entry + "\"");
		}
		String name = entry.substring(0, colon);
		String address = entry.substring(colon + 1);
		if (address.equals(HOST_GATEWAY)) {
			throw new UnsupportedFeatureException("networks",
					"add-host " + entry + ": host-gateway needs the bridge network, which is not supported yet");
		}
		InetAddress parsed;
		try {
			parsed = InetAddress.ofLiteral(address);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidArgumentException("invalid IP address in add-host: \"" + address + "\"");
		}
		boolean v6 = parsed.getAddress().length > 4;
		return (v6 && !ipv6) ? "" : address + "\t" + name;
	}

	/**
	 * The host's resolver configuration with the client's overrides. A container with its own
	 * network namespace cannot reach the host's loopback, so those nameservers go (unless the
	 * client chose the nameservers); a host-network container without overrides sees the
	 * host's file byte for byte.
	 */
	static String resolvConf(HostConfig hostConfig, Namespaces namespaces, HostFacts host) {
		boolean overridden = present(hostConfig.dns()) || present(hostConfig.dnsSearch())
				|| present(hostConfig.dnsOptions());
		if (namespaces.hostNetwork() && !overridden) {
			return host.resolvConf();
		}
		ResolvConf resolvConf = ResolvConf.parse(host.resolvConf())
			.override(hostConfig.dns(), hostConfig.dnsSearch(), hostConfig.dnsOptions());
		if (!namespaces.hostNetwork() && !present(hostConfig.dns())) {
			// no container network has IPv6 routes yet: IPv6 nameservers would not answer
			resolvConf = resolvConf.withoutLocalNameservers(false);
		}
		return resolvConf.render();
	}

	private static void add(List<MountedFile> files, Set<String> userDestinations, MountedFile file) {
		if (!userDestinations.contains(file.target())) {
			files.add(file);
		}
	}

	private static boolean present(List<String> values) {
		return values != null && !values.isEmpty();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
