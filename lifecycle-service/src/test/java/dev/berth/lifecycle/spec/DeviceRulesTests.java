package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.hostConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

import dev.berth.lifecycle.InvalidArgumentException;

/** Reads this machine's /dev, where null (1:3) and zero (1:5) exist everywhere. */
class DeviceRulesTests {

	private static final Path DEV = Path.of("/dev");

	@Test
	void byDefaultTheCgroupDeniesAllButTheStandardDevices() {
		DeviceRules.Devices devices = DeviceRules.of(hostConfig("{}"), DEV);
		assertThat(devices.nodes()).isEmpty();
		assertThat(devices.cgroupRules().toString()).isEqualTo(SpecFixtures.tree("""
				[{'allow': false, 'access': 'rwm'},
				 {'allow': true, 'type': 'c', 'major': 1, 'minor': 5, 'access': 'rwm'},
				 {'allow': true, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'rwm'},
				 {'allow': true, 'type': 'c', 'major': 1, 'minor': 9, 'access': 'rwm'},
				 {'allow': true, 'type': 'c', 'major': 1, 'minor': 8, 'access': 'rwm'},
				 {'allow': true, 'type': 'c', 'major': 5, 'minor': 0, 'access': 'rwm'},
				 {'allow': true, 'type': 'c', 'major': 5, 'minor': 1, 'access': 'rwm'},
				 {'allow': false, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rwm'}]""").toString());
	}

	@Test
	void aDeviceMappingAddsTheNodeAndItsRule() {
		DeviceRules.Devices devices = DeviceRules.of(hostConfig(
				"{'Devices': [{'PathOnHost': '/dev/null', 'PathInContainer': '/dev/mynull', 'CgroupPermissions': 'rw'}]}"),
				DEV);
		JsonNode node = devices.nodes().get(0);
		assertThat(node.get("path").asString()).isEqualTo("/dev/mynull");
		assertThat(node.get("type").asString()).isEqualTo("c");
		assertThat(node.get("major").asLong()).isEqualTo(1);
		assertThat(node.get("minor").asLong()).isEqualTo(3);
		assertThat(node.get("fileMode").asInt()).isEqualTo(0666);
		JsonNode rule = devices.cgroupRules().get(devices.cgroupRules().size() - 1);
		assertThat(rule.toString()).isEqualTo("{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}");
	}

	@Test
	@Tag("privileged")
	void aDirectoryAddsEveryDeviceUnderIt(@TempDir Path dir) throws Exception {
		Path nested = Files.createDirectories(dir.resolve("sub"));
		mknod(dir.resolve("null"), 1, 3);
		mknod(nested.resolve("zero"), 1, 5);
		Files.writeString(dir.resolve("notes"), "not a device");
		DeviceRules.Devices devices = DeviceRules.of(hostConfig("{'Devices': [{'PathOnHost': '" + dir
				+ "', 'PathInContainer': '/dev/mine'}]}"), DEV);
		assertThat(devices.nodes().valueStream().map((node) -> node.get("path").asString()))
			.containsExactlyInAnyOrder("/dev/mine/null", "/dev/mine/sub/zero");
		assertThat(devices.cgroupRules()).hasSize(10);
	}

	@Test
	void cgroupRulesAreParsedInDockersFormat() {
		DeviceRules.Devices devices = DeviceRules.of(hostConfig("{'DeviceCgroupRules': ['c 42:* rmw', 'a *:* r']}"), DEV);
		List<String> added = devices.cgroupRules().valueStream().skip(8).map(JsonNode::toString).toList();
		assertThat(added).containsExactly(
				"{\"allow\":true,\"type\":\"c\",\"major\":42,\"minor\":-1,\"access\":\"rmw\"}",
				"{\"allow\":true,\"type\":\"a\",\"major\":-1,\"minor\":-1,\"access\":\"r\"}");
		assertThatThrownBy(() -> DeviceRules.of(hostConfig("{'DeviceCgroupRules': ['c 42 rmw']}"), DEV))
			.isInstanceOf(InvalidArgumentException.class)
			.hasMessage("invalid device cgroup rule format: 'c 42 rmw'");
	}

	@Test
	void missingDevicesAreRefusedInDockersWords() {
		assertThatThrownBy(() -> DeviceRules.of(hostConfig("{'Devices': [{'PathOnHost': '/dev/berth-none'}]}"), DEV))
			.hasMessage("error gathering device information while adding custom device \"/dev/berth-none\": "
					+ "no such file or directory");
		assertThatThrownBy(() -> DeviceRules.of(hostConfig("{'Devices': [{'PathOnHost': '/etc/passwd'}]}"), DEV))
			.hasMessageEndingWith("not a device node");
	}

	@Test
	void aPrivilegedContainerGetsEveryHostDeviceAndMayUseAll() {
		DeviceRules.Devices devices = DeviceRules.of(hostConfig("{'Privileged': true}"), DEV);
		List<String> paths = devices.nodes().valueStream().map((node) -> node.get("path").asString()).toList();
		assertThat(paths).contains("/dev/null", "/dev/zero")
			.noneMatch((path) -> path.startsWith("/dev/pts/"))
			.doesNotContain("/dev/console");
		assertThat(devices.cgroupRules().toString()).isEqualTo("[{\"allow\":true,\"type\":\"a\",\"access\":\"rwm\"}]");
	}

	private static void mknod(Path path, int major, int minor) throws Exception {
		Process process = new ProcessBuilder("mknod", path.toString(), "c", Integer.toString(major),
				Integer.toString(minor)).inheritIO().start();
		assertThat(process.waitFor()).isZero();
	}

	@Test
	void deviceNumbersAreDecodedLikeGlibc() {
		// makedev(259, 70000): the minor needs more than 8 bits, the major more than 8 too
		long rdev = (70000L & 0xff) | ((259L & 0xfff) << 8) | ((70000L & ~0xffL) << 12);
		assertThat(DeviceRules.major(rdev)).isEqualTo(259);
		assertThat(DeviceRules.minor(rdev)).isEqualTo(70000);
	}

}
