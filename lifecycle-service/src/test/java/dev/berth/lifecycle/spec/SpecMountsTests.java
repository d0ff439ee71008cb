package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.berth.lifecycle.spec.UserMounts.MountPoint;

class SpecMountsTests {

	private static final long SHM = 64L << 20;

	@Test
	void dockersDefaultFileSystems() {
		JsonNode mounts = SpecMounts.of(List.of(), SHM, true, false, false, false);
		assertThat(destinations(mounts)).containsExactly("/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup",
				"/dev/mqueue", "/dev/shm");
		assertThat(strings(mount(mounts, "/dev/shm").get("options"))).containsExactly("nosuid", "noexec", "nodev",
				"mode=1777", "size=67108864");
		assertThat(strings(mount(mounts, "/sys").get("options"))).contains("ro");
		assertThat(strings(mount(mounts, "/sys/fs/cgroup").get("options"))).contains("ro");
	}

	@Test
	void userMountsReplaceDefaultsAndAUserDevReplacesAllUnderIt() {
		MountPoint dev = new MountPoint("/dev", "bind", "/dev", List.of("rbind", "rprivate"));
		MountPoint shm = new MountPoint("/dev/shm", "tmpfs", "tmpfs", List.of("size=1g"));
		assertThat(destinations(SpecMounts.of(List.of(shm), SHM, true, false, false, false)))
			.containsExactly("/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm");
		assertThat(strings(mount(SpecMounts.of(List.of(shm), SHM, true, false, false, false), "/dev/shm")
			.get("options"))).containsExactly("size=1g");
		assertThat(destinations(SpecMounts.of(List.of(dev), SHM, true, false, false, false)))
			.containsExactly("/proc", "/sys", "/sys/fs/cgroup", "/dev");
	}

	@Test
	void ipcNoneHasNoShm() {
		assertThat(destinations(SpecMounts.of(List.of(), SHM, false, false, false, false))).doesNotContain("/dev/shm");
	}

	@Test
	void aReadOnlyRootMakesTheRestReadOnlyButNotUserMountsOrDev() {
		MountPoint data = new MountPoint("/data", "bind", "/tmp", List.of("rbind", "rprivate"));
		JsonNode mounts = SpecMounts.of(List.of(data), SHM, true, true, false, false);
		assertThat(strings(mount(mounts, "/data").get("options"))).doesNotContain("ro");
		assertThat(strings(mount(mounts, "/dev/shm").get("options"))).doesNotContain("ro");
		assertThat(strings(mount(mounts, "/proc").get("options"))).doesNotContain("ro");
		assertThat(strings(mount(mounts, "/sys").get("options"))).containsOnlyOnce("ro");
	}

	@Test
	void privilegedContainersWriteSysAndTheirCgroups() {
		JsonNode mounts = SpecMounts.of(List.of(), SHM, true, false, true, true);
		assertThat(strings(mount(mounts, "/sys").get("options"))).doesNotContain("ro");
		assertThat(strings(mount(mounts, "/sys/fs/cgroup").get("options"))).doesNotContain("ro");
	}

	static List<String> destinations(JsonNode mounts) {
		return mounts.valueStream().map((mount) -> mount.get("destination").asString()).toList();
	}

	static JsonNode mount(JsonNode mounts, String destination) {
		return mounts.valueStream()
			.filter((mount) -> mount.get("destination").asString().equals(destination))
			.findFirst()
			.orElseThrow();
	}

}
