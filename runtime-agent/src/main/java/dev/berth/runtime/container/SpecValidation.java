package dev.berth.runtime.container;

import java.util.List;

import dev.berth.runtime.linux.Capability;
import dev.berth.runtime.linux.Rlimits;
import dev.berth.runtime.seccomp.SeccompPrograms;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.SpecException;

/**
 * Checks a spec before any process starts, so a mistake is reported with the field that holds it
 * and leaves nothing behind.
 */
final class SpecValidation {

	private SpecValidation() {
	}

	/** Parses and checks the spec; its seccomp profile is compiled into {@code seccomp}, where it is kept. */
	static RuntimeSpec validate(JsonObject document, SeccompPrograms seccomp) {
		RuntimeSpec spec = RuntimeSpec.read(document);
		if (spec.process() == null) {
			throw new SpecException("process: required to create a container");
		}
		validateProcess(spec.process(), "process");
		if (spec.linux().namespace("user") != null) {
			throw new SpecException("linux.namespaces: user namespaces are not supported");
		}
		if (spec.linux().namespace("mount") == null) {
			throw new SpecException("linux.namespaces: a mount namespace is required");
		}
		if (spec.linux().seccomp() != null) {
			seccomp.compile(spec.linux().seccomp());
		}
		return spec;
	}

	static void validateProcess(RuntimeSpec.Process process, String path) {
		RuntimeSpec.Capabilities caps = process.capabilities();
		String[] sets = { "bounding", "effective", "inheritable", "permitted", "ambient" };
		List<List<String>> lists = List.of(caps.bounding(), caps.effective(), caps.inheritable(), caps.permitted(),
				caps.ambient());
		for (int i = 0; i < sets.length; i++) {
			for (String name : lists.get(i)) {
				if (Capability.number(name) < 0) {
					throw new SpecException(path + ".capabilities." + sets[i] + ": unknown capability \"" + name + "\"");
				}
			}
		}
		for (int i = 0; i < process.rlimits().size(); i++) {
			String type = process.rlimits().get(i).type();
			if (!Rlimits.known(type)) {
				throw new SpecException(path + ".rlimits[" + i + "].type: unknown rlimit \"" + type + "\"");
			}
		}
	}

}
