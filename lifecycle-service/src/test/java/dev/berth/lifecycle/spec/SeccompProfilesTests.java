package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;

class SeccompProfilesTests {

	private static final HostFacts AMD64 = SpecFixtures.host();

	private static final List<String> DEFAULT_CAPS = Capabilities.DEFAULTS;

	private static final SecurityOptions NONE = SecurityOptions.parse(null);

	@Test
	void theDefaultProfileIsAnAllowListThatAnswersEperm() {
		ObjectNode seccomp = SeccompProfiles.forContainer(NONE, false, DEFAULT_CAPS, AMD64);
		assertThat(seccomp.get("defaultAction").asString()).isEqualTo("SCMP_ACT_ERRNO");
		assertThat(seccomp.get("defaultErrnoRet").asInt()).isEqualTo(1);
		assertThat(strings(seccomp.get("architectures"))).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
				"SCMP_ARCH_X32");
		assertThat(unconditionallyAllowed(seccomp)).contains("read", "write", "openat", "execve", "futex",
				"epoll_pwait", "io_submit", "rseq", "ptrace", "arch_prctl", "chroot")
			.doesNotContain("clone", "clone3", "socket", "personality");
		assertThat(named(seccomp)).doesNotContain("keyctl", "add_key", "request_key", "mount", "umount2", "unshare",
				"setns", "pivot_root", "kexec_load", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
				"init_module", "reboot", "swapon", "settimeofday", "open_by_handle_at", "acct", "syslog",
				"cacheflush", "sethostname");
	}

	@Test
	void withoutCapSysAdminCloneMayNotCreateNamespacesAndClone3AnswersEnosys() {
		ObjectNode seccomp = SeccompProfiles.forContainer(NONE, false, DEFAULT_CAPS, AMD64);
		JsonNode clone = rulesFor(seccomp, "clone").getFirst();
		assertThat(clone.get("action").asString()).isEqualTo("SCMP_ACT_ALLOW");
		assertThat(clone.get("args").get(0).get("op").asString()).isEqualTo("SCMP_CMP_MASKED_EQ");
		assertThat(clone.get("args").get(0).get("value").asLong()).isEqualTo(0x7E020000L);
		JsonNode clone3 = rulesFor(seccomp, "clone3").stream()
			.filter((rule) -> rule.get("action").asString().equals("SCMP_ACT_ERRNO"))
			.findFirst()
			.orElseThrow();
		assertThat(clone3.get("errnoRet").asInt()).isEqualTo(38);
	}

	@Test
	void capabilitiesUnlockTheirSystemCalls() {
		List<String> caps = new ArrayList<>(DEFAULT_CAPS);
		caps.addAll(List.of("CAP_SYS_ADMIN", "CAP_SYS_TIME", "CAP_SYS_PTRACE"));
		ObjectNode seccomp = SeccompProfiles.forContainer(NONE, false, caps, AMD64);
		assertThat(unconditionallyAllowed(seccomp)).contains("mount", "unshare", "setns", "clone", "sethostname",
				"settimeofday", "clock_settime", "kcmp", "process_vm_readv");
		// the restricted clone and the ENOSYS clone3 only exist for containers without CAP_SYS_ADMIN
		assertThat(rulesFor(seccomp, "clone3")).allMatch((rule) -> rule.get("action").asString().equals("SCMP_ACT_ALLOW"));
		assertThat(rulesFor(seccomp, "clone")).allMatch((rule) -> !rule.has("args"));
	}

	@Test
	void architectureAndKernelConditions() {
		HostFacts arm64 = new HostFacts("arm64", "6.1.0", AMD64.capabilities(), 2, "0-1", "0", AMD64.cgroup(), false,
				"h", "", "", Map.of(), List.of());
		ObjectNode onArm = SeccompProfiles.forContainer(NONE, false, DEFAULT_CAPS, arm64);
		assertThat(strings(onArm.get("architectures"))).containsExactly("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
		assertThat(named(onArm)).contains("cacheflush", "set_tls").doesNotContain("arch_prctl", "modify_ldt");

		HostFacts oldKernel = new HostFacts("amd64", "4.4.0-210-generic", AMD64.capabilities(), 2, "0-1", "0",
				AMD64.cgroup(), false, "h", "", "", Map.of(), List.of());
		// before 4.8 ptrace could walk around seccomp: it needs CAP_SYS_PTRACE there
		assertThat(named(SeccompProfiles.forContainer(NONE, false, DEFAULT_CAPS, oldKernel))).doesNotContain("ptrace");
	}

	@Test
	void privilegedAndUnconfinedContainersHaveNoFilterUnlessOneIsNamed() {
		assertThat(SeccompProfiles.forContainer(NONE, true, DEFAULT_CAPS, AMD64)).isNull();
		assertThat(SeccompProfiles.forContainer(SecurityOptions.parse(List.of("seccomp=unconfined")), false,
				DEFAULT_CAPS, AMD64)).isNull();
		assertThat(SeccompProfiles.forContainer(SecurityOptions.parse(List.of("seccomp=builtin")), true, DEFAULT_CAPS,
				AMD64)).isNotNull();
	}

	@Test
	void aCustomProfileInDockersFormat() {
		String profile = """
				{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
				 "syscalls": [
				   {"name": "keyctl", "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
				   {"names": ["mount"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
				   {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "includes": {"arches": ["arm64"]}}]}""";
		ObjectNode seccomp = SeccompProfiles.forContainer(SecurityOptions.parse(List.of("seccomp=" + profile)), false,
				DEFAULT_CAPS, AMD64);
		assertThat(seccomp.get("defaultAction").asString()).isEqualTo("SCMP_ACT_ALLOW");
		assertThat(strings(seccomp.get("architectures"))).containsExactly("SCMP_ARCH_X86_64");
		assertThat(seccomp.get("syscalls")).hasSize(2);
		assertThat(strings(seccomp.get("syscalls").get(0).get("names"))).containsExactly("keyctl");
		assertThat(seccomp.get("syscalls").get(0).get("errnoRet").asInt()).isEqualTo(13);
		assertThat(seccomp.get("syscalls").get(0).has("name")).isFalse();
	}

	@Test
	void brokenProfilesAreRefusedInDockersWords() {
		assertThatThrownBy(() -> custom("{not json")).isInstanceOf(InvalidArgumentException.class)
			.hasMessageStartingWith("Decoding seccomp profile failed: ");
		assertThatThrownBy(() -> custom("""
				{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
				 "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}"""))
			.hasMessageContaining("both 'architectures' and 'archMap' are specified");
		assertThatThrownBy(() -> custom("""
				{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "a", "names": ["b"], "action": "SCMP_ACT_LOG"}]}"""))
			.hasMessageContaining("both 'name' and 'names' are specified");
		assertThat(custom("{}")).isNull();
	}

	private static ObjectNode custom(String profile) {
		return SeccompProfiles.forContainer(SecurityOptions.parse(List.of("seccomp=" + profile)), false, DEFAULT_CAPS,
				AMD64);
	}

	/** Names of rules that allow without argument checks. */
	static List<String> unconditionallyAllowed(JsonNode seccomp) {
		List<String> names = new ArrayList<>();
		for (JsonNode rule : seccomp.get("syscalls")) {
			if (rule.get("action").asString().equals("SCMP_ACT_ALLOW") && rule.path("args").isEmpty()) {
				names.addAll(strings(rule.get("names")));
			}
		}
		return names;
	}

	private static List<String> named(JsonNode seccomp) {
		List<String> names = new ArrayList<>();
		seccomp.get("syscalls").forEach((rule) -> names.addAll(strings(rule.get("names"))));
		return names;
	}

	private static List<JsonNode> rulesFor(JsonNode seccomp, String name) {
		List<JsonNode> rules = new ArrayList<>();
		seccomp.get("syscalls").forEach((rule) -> {
			if (strings(rule.get("names")).contains(name)) {
				rules.add(rule);
			}
		});
		return rules;
	}

}
