package dev.berth.runtime.container;

import java.util.ArrayList;
import java.util.List;

import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.RuntimeSpec.DeviceRule;

/**
 * The device cgroup rules a container gets: the spec's own, then access to the standard devices
 * and to every device the spec creates, as runc adds them. Without these a deny-all spec would
 * stop the init from creating {@code /dev/null}.
 */
final class DeviceAccess {

	private static final List<DeviceRule> STANDARD = List.of(
			// creating nodes is allowed; opening them is governed by the rules after
			rule("c", null, null, "m"), rule("b", null, null, "m"),
			rule("c", 1L, 3L, "rwm"), rule("c", 1L, 5L, "rwm"), rule("c", 1L, 7L, "rwm"), rule("c", 1L, 8L, "rwm"),
			rule("c", 1L, 9L, "rwm"), rule("c", 5L, 0L, "rwm"), rule("c", 5L, 1L, "rwm"), rule("c", 5L, 2L, "rwm"),
			// the container's own pseudo-terminals
			rule("c", 136L, null, "rwm"));

	private DeviceAccess() {
	}

	static RuntimeSpec.Resources withStandardDevices(RuntimeSpec.Resources resources, List<RuntimeSpec.Device> devices) {
		List<DeviceRule> rules = new ArrayList<>(resources.devices());
		if (rules.isEmpty()) {
			// a spec without rules leaves the host's access as it is
			return resources;
		}
		rules.addAll(STANDARD);
		for (RuntimeSpec.Device device : devices) {
			rules.add(rule(device.type(), device.major(), device.minor(), "rwm"));
		}
		return new RuntimeSpec.Resources(resources.memoryLimit(), resources.memoryReservation(), resources.memorySwap(),
				resources.cpuShares(), resources.cpuQuota(), resources.cpuPeriod(), resources.cpusetCpus(),
				resources.cpusetMems(), resources.pidsLimit(), List.copyOf(rules));
	}

	private static DeviceRule rule(String type, Long major, Long minor, String access) {
		return new DeviceRule(true, type, major, minor, access);
	}

}
