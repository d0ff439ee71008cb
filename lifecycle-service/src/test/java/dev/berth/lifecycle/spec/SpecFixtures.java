package dev.berth.lifecycle.spec;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.container.ContainerConfig;
import dev.berth.lifecycle.container.HostConfig;

/** Docker JSON for the tests, read into the model as the store's typed views read it, and hosts to run on. */
final class SpecFixtures {

	static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
		.build();

	private SpecFixtures() {
	}

	/** JSON with single quotes, for readable tests. */
	static ObjectNode json(String text) {
		return (ObjectNode) MAPPER.readTree(text.replace('\'', '"'));
	}

	static JsonNode tree(String text) {
		return MAPPER.readTree(text.replace('\'', '"'));
	}

	static ContainerConfig config(String text) {
		return view(json(text), ContainerConfig.class);
	}

	static HostConfig hostConfig(String text) {
		return view(json(text), HostConfig.class);
	}

	static <T> T view(ObjectNode json, Class<T> type) {
		return MAPPER.treeToValue(json, type);
	}

	/** A cgroup v1 amd64 host with every capability but CAP_SYS_RESOURCE, two CPUs, no IPv6. */
	static HostFacts host() {
		return host(new HostFacts.CgroupSupport(false, true, true, false), false);
	}

	static HostFacts host(HostFacts.CgroupSupport cgroup, boolean ipv6) {
		List<String> capabilities = HostFacts.CAPABILITY_NAMES.stream()
			.filter((name) -> !name.equals("CAP_SYS_RESOURCE"))
			.toList();
		return new HostFacts("amd64", "6.1.0-13-amd64", capabilities, 2, "0-1", "0", cgroup, ipv6, "buildhost",
				"127.0.0.1 localhost buildhost\n", "nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\n",
				Map.of("net.ipv4.ping_group_range", "0 2147483647", "net.ipv4.ip_unprivileged_port_start", "0"),
				List.of());
	}

	static List<String> strings(JsonNode array) {
		return array.valueStream().map(JsonNode::asString).toList();
	}

}
