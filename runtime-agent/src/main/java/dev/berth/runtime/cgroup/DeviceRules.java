package dev.berth.runtime.cgroup;

import java.util.List;

import dev.berth.runtime.spec.RuntimeSpec.DeviceRule;

/**
 * Device cgroup rules in the kernel's v1 syntax ({@code c 1:3 rwm}), and what cgroup v2 can do
 * with them without an eBPF program.
 */
final class DeviceRules {

	private DeviceRules() {
	}

	static void validate(List<DeviceRule> rules) {
		for (int i = 0; i < rules.size(); i++) {
			DeviceRule rule = rules.get(i);
			String field = "linux.resources.devices[" + i + "]";
			String type = type(rule);
			if (!type.equals("a") && !type.equals("b") && !type.equals("c")) {
				throw new IllegalArgumentException(field + ".type: must be a, b or c, got \"" + type + "\"");
			}
			checkNumber(field + ".major", rule.major());
			checkNumber(field + ".minor", rule.minor());
			String access = access(rule);
			if (!access.matches("[rwm]{1,3}")) {
				throw new IllegalArgumentException(
						field + ".access: must be letters of \"rwm\", got \"" + access + "\"");
			}
		}
	}

	/**
	 * The rule as {@code devices.allow} and {@code devices.deny} take it: {@code *} for a
	 * wildcard number, type {@code a} for every device.
	 */
	static String format(DeviceRule rule) {
		return type(rule) + " " + number(rule.major()) + ":" + number(rule.minor()) + " " + access(rule);
	}

	/**
	 * Refuses rules that ask for a particular device to be denied, on a cgroup that cannot enforce
	 * any rule: once the last rule for all devices, such a deny is a request the container would
	 * silently not get. A deny-all followed by allows (the default of every OCI generator) is taken,
	 * as cgroup v2 without eBPF cannot honour it either, but refusing it would refuse every
	 * container.
	 */
	static void checkEnforceableWithoutBpf(List<DeviceRule> rules) {
		int lastAll = -1;
		for (int i = 0; i < rules.size(); i++) {
			if (type(rules.get(i)).equals("a")) {
				lastAll = i;
			}
		}
		for (int i = lastAll + 1; i < rules.size(); i++) {
			DeviceRule rule = rules.get(i);
			if (!rule.allow()) {
				throw new CgroupException("linux.resources.devices[" + i + "]: cannot deny \"" + format(rule)
						+ "\" on cgroup v2: device rules need an eBPF program there, which is not supported yet",
						null);
			}
		}
	}

	private static String type(DeviceRule rule) {
		return (rule.type() != null && !rule.type().isEmpty()) ? rule.type() : "a";
	}

	private static String access(DeviceRule rule) {
		return (rule.access() != null && !rule.access().isEmpty()) ? rule.access() : "rwm";
	}

	private static String number(Long number) {
		return (number == null || number == -1) ? "*" : Long.toString(number);
	}

	private static void checkNumber(String field, Long number) {
		if (number != null && number < -1) {
			throw new IllegalArgumentException(field + ": must be a device number or -1 (any), got " + number);
		}
	}

}
