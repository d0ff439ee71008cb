package dev.berth.runtime.cgroup;

import java.nio.file.Path;

import dev.berth.runtime.spec.RuntimeSpec.DeviceRule;
import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * The v1 devices controller: each rule written in order to {@code devices.allow} or
 * {@code devices.deny}, the way the kernel applies them. A leading deny-all briefly denies every
 * device to a running container when its rules are set again.
 */
final class V1Devices {

	private final CgroupFiles files;

	V1Devices(CgroupFiles files) {
		this.files = files;
	}

	void set(Path dir, Resources r) {
		for (DeviceRule rule : r.devices()) {
			this.files.write(dir.resolve(rule.allow() ? "devices.allow" : "devices.deny"), DeviceRules.format(rule));
		}
	}

}
