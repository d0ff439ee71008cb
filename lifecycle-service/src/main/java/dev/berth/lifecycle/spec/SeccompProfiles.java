package dev.berth.lifecycle.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;

/**
 * Turns a seccomp profile in Docker's format into the OCI {@code linux.seccomp} object for one
 * container, as dockerd does when it builds the spec. Docker's format adds to the OCI one what
 * only the engine can decide: an {@code archMap} (the architectures to filter, picked by the
 * host's), a rule's {@code includes} and {@code excludes} (by the container's capabilities, the
 * host's architecture, a minimum kernel), and {@code name} for a single system call. So one
 * profile serves every host and every {@code --cap-add}: with CAP_SYS_ADMIN the container may
 * {@code mount}; without it, {@code clone} may not create namespaces.
 *
 * <p>The default profile ({@code default-seccomp.json} next to this class) is Docker's default
 * policy, written for Berth: an allow-list whose default action is EPERM.
 */
final class SeccompProfiles {

	private static final String DEFAULT_PROFILE = "default-seccomp.json";

	/** libseccomp's architecture names by Go's, for an {@code archMap} lookup. */
	private static final Map<String, String> NATIVE_ARCHITECTURES = Map.of("amd64", "SCMP_ARCH_X86_64", "arm64",
			"SCMP_ARCH_AARCH64", "x86", "SCMP_ARCH_X86", "arm", "SCMP_ARCH_ARM", "riscv64", "SCMP_ARCH_RISCV64",
			"s390x", "SCMP_ARCH_S390X", "ppc64le", "SCMP_ARCH_PPC64LE");

	/** Top-level fields that pass unchanged from Docker's format to the OCI object. */
	private static final List<String> PASSED_FIELDS = List.of("defaultAction", "defaultErrnoRet", "architectures",
			"flags", "listenerPath", "listenerMetadata");

	/** Rule fields that pass unchanged. */
	private static final List<String> PASSED_RULE_FIELDS = List.of("action", "errnoRet", "args");

	private static final ObjectNode DEFAULT = load();

	private SeccompProfiles() {
	}

	/**
	 * The container's {@code linux.seccomp}, or null for none: for {@code seccomp=unconfined}, and
	 * for a privileged container that did not name a profile.
	 *
	 * @param capabilities the container's bounding set, which the rules' conditions test
	 */
	static ObjectNode forContainer(SecurityOptions options, boolean privileged, List<String> capabilities,
			HostFacts host) {
		return switch (options.seccomp()) {
			case UNCONFINED -> null;
			case UNSET -> privileged ? null : resolve(DEFAULT, capabilities, host);
			case DEFAULT -> resolve(DEFAULT, capabilities, host);
			case CUSTOM -> resolve(parse(options.seccompProfile()), capabilities, host);
		};
	}

	static ObjectNode parse(String profile) {
		try {
			JsonNode node = SpecJson.MAPPER.readTree(profile);
			if (!(node instanceof ObjectNode object)) {
				throw new InvalidArgumentException(
						"Decoding seccomp profile failed: the profile is not a JSON object");
			}
			return object;
		}
		catch (JacksonException ex) {
			throw new InvalidArgumentException("Decoding seccomp profile failed: " + ex.getOriginalMessage());
		}
	}

	/** The profile for this container and host; null when it names neither an action nor a rule. */
	static ObjectNode resolve(ObjectNode profile, List<String> capabilities, HostFacts host) {
		JsonNode rules = profile.path("syscalls");
		if (SpecJson.text(profile, "defaultAction", "").isEmpty() && rules.isEmpty()) {
			return null;
		}
		if (!profile.path("architectures").isEmpty() && !profile.path("archMap").isEmpty()) {
			throw new InvalidArgumentException("both 'architectures' and 'archMap' are specified in the seccomp "
					+ "profile, use either 'architectures' or 'archMap'");
		}
		ObjectNode seccomp = SpecJson.object();
		for (String field : PASSED_FIELDS) {
			if (profile.hasNonNull(field)) {
				seccomp.set(field, profile.get(field).deepCopy());
			}
		}
		ArrayNode architectures = hostArchitectures(profile, host.architecture());
		if (!architectures.isEmpty()) {
			seccomp.set("architectures", architectures);
		}
		ArrayNode syscalls = seccomp.putArray("syscalls");
		for (JsonNode rule : rules) {
			if (applies(rule, capabilities, host)) {
				syscalls.add(ociRule(rule));
			}
		}
		return seccomp;
	}

	/** From an {@code archMap}: the entry of the host's architecture and its sub-architectures. */
	private static ArrayNode hostArchitectures(ObjectNode profile, String architecture) {
		ArrayNode architectures = SpecJson.object().arrayNode();
		String hostArchitecture = NATIVE_ARCHITECTURES.get(architecture);
		for (JsonNode entry : profile.path("archMap")) {
			if (SpecJson.text(entry, "architecture", "").equals(hostArchitecture)) {
				architectures.add(hostArchitecture);
				entry.path("subArchitectures").forEach((sub) -> architectures.add(sub.asString()));
				break;
			}
		}
		return architectures;
	}

	private static ObjectNode ociRule(JsonNode rule) {
		ObjectNode oci = SpecJson.object();
		String name = SpecJson.text(rule, "name", "");
		if (!name.isEmpty()) {
			if (!rule.path("names").isEmpty()) {
				throw new InvalidArgumentException("both 'name' and 'names' are specified in the seccomp profile, "
						+ "use either 'name' or 'names'");
			}
			oci.set("names", SpecJson.strings(List.of(name)));
		}
		else {
			oci.set("names", rule.path("names").deepCopy());
		}
		for (String field : PASSED_RULE_FIELDS) {
			if (rule.hasNonNull(field)) {
				oci.set(field, rule.get(field).deepCopy());
			}
		}
		return oci;
	}

	/**
	 * Docker's conditions: an {@code excludes} that matches drops the rule (any listed
	 * architecture, any listed capability in the bounding set, a kernel at least the minimum);
	 * an {@code includes} must match entirely (the architecture among those listed, every
	 * listed capability, a kernel at least the minimum).
	 */
	private static boolean applies(JsonNode rule, List<String> capabilities, HostFacts host) {
		JsonNode excludes = rule.path("excludes");
		if (contains(excludes.path("arches"), host.architecture())
				|| anyContained(excludes.path("caps"), capabilities)
				|| (excludes.hasNonNull("minKernel") && kernelAtLeast(host, excludes.get("minKernel").asString()))) {
			return false;
		}
		JsonNode includes = rule.path("includes");
		if (!includes.path("arches").isEmpty() && !contains(includes.path("arches"), host.architecture())) {
			return false;
		}
		for (JsonNode capability : includes.path("caps")) {
			if (!capabilities.contains(capability.asString())) {
				return false;
			}
		}
		return !includes.hasNonNull("minKernel") || kernelAtLeast(host, includes.get("minKernel").asString());
	}

	private static boolean contains(JsonNode array, String value) {
		for (JsonNode element : array) {
			if (element.asString().equals(value)) {
				return true;
			}
		}
		return false;
	}

	private static boolean anyContained(JsonNode array, List<String> values) {
		for (JsonNode element : array) {
			if (values.contains(element.asString())) {
				return true;
			}
		}
		return false;
	}

	/** Compares major.minor, the precision Docker's {@code minKernel} has. */
	private static boolean kernelAtLeast(HostFacts host, String minimum) {
		int[] wanted = majorMinor(minimum, "invalid kernel version in the seccomp profile: " + minimum);
		int[] running = majorMinor(host.kernelRelease(), "cannot read the kernel version: " + host.kernelRelease());
		return (running[0] != wanted[0]) ? running[0] > wanted[0] : running[1] >= wanted[1];
	}

	private static int[] majorMinor(String version, String error) {
		String[] parts = version.split("[.-]");
		try {
			return new int[] { Integer.parseInt(parts[0]), (parts.length > 1) ? Integer.parseInt(parts[1]) : 0 };
		}
		catch (NumberFormatException ex) {
			throw new InvalidArgumentException(error);
		}
	}

	private static ObjectNode load() {
		try (InputStream in = SeccompProfiles.class.getResourceAsStream(DEFAULT_PROFILE)) {
			if (in == null) {
				throw new IllegalStateException(DEFAULT_PROFILE + " is missing from the classpath");
			}
			return (ObjectNode) SpecJson.MAPPER.readTree(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
