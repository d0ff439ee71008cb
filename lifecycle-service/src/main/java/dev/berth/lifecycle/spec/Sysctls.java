package dev.berth.lifecycle.spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;

/**
 * The spec's {@code linux.sysctl}: Docker's network defaults for a container with its own
 * network namespace, the domain name, then the client's {@code Sysctls}, which win. A client may only set
 * sysctls that belong to a namespace the container has of its own, so that nothing it sets
 * reaches the host: IPC ones ({@code kernel.shm*}, {@code kernel.msg*}, {@code kernel.sem},
 * {@code fs.mqueue.*}), network ones ({@code net.*}) and {@code kernel.domainname}.
 */
final class Sysctls {

	private static final Set<String> IPC_SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
			"kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

	private Sysctls() {
	}

	/**
	 * @param domainname the container's NIS domain name, set through its sysctl as Docker does
	 * (the runtime spec has no field every runtime reads); empty for none
	 */
	static ObjectNode of(Map<String, String> requested, String domainname, Namespaces namespaces, HostFacts host) {
		Map<String, String> sysctls = new LinkedHashMap<>();
		if (!namespaces.hostNetwork()) {
			sysctls.putAll(host.networkSysctls());
		}
		if (!domainname.isEmpty()) {
			sysctls.put("kernel.domainname", domainname);
		}
		if (requested != null) {
			requested.forEach((name, value) -> {
				check(name, namespaces);
				sysctls.put(name, value);
			});
		}
		ObjectNode spec = SpecJson.object();
		sysctls.forEach(spec::put);
		return spec;
	}

	private static void check(String name, Namespaces namespaces) {
		if (IPC_SYSCTLS.contains(name) || name.startsWith("fs.mqueue.")) {
			if (namespaces.hostIpc()) {
				throw new InvalidArgumentException("sysctl \"" + name + "\" is not allowed in the host's IPC namespace");
			}
			return;
		}
		if (name.startsWith("net.")) {
			if (namespaces.hostNetwork()) {
				throw new InvalidArgumentException(
						"sysctl \"" + name + "\" is not allowed in the host's network namespace");
			}
			return;
		}
		if (name.equals("kernel.domainname")) {
			if (namespaces.hostUts()) {
				throw new InvalidArgumentException("sysctl \"" + name + "\" is not allowed in the host's UTS namespace");
			}
			return;
		}
		throw new InvalidArgumentException("sysctl \"" + name + "\" is not in a separate kernel namespace");
	}

}
