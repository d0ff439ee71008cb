package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class CgroupMountsTests {

	/** This machine's: every v1 controller on its own, cgroup2 at unified. */
	private static final String HYBRID = """
			25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
			31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
			32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
			33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
			34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
			35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
			36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
			37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
			38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
			39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
			40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
			41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
			""";

	@Test
	void hybridMountinfoGivesEveryHierarchyAndTheUnifiedOne() {
		Map<String, Path> hierarchies = CgroupMounts.fromMountinfo(HYBRID).hierarchies();
		assertThat(hierarchies).containsOnlyKeys("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio",
				"pids", "name=systemd", "");
		assertThat(hierarchies).containsEntry("name=systemd", Path.of("/sys/fs/cgroup/systemd"))
			.containsEntry("", Path.of("/sys/fs/cgroup/unified"));
		assertThat(CgroupMounts.fromMountinfo(HYBRID).manager(CgroupPath.parse("x"), CgroupFiles.SYSTEM))
			.isInstanceOf(V1Manager.class);
	}

	@Test
	void theHostsHierarchiesAreReadOnceAndAreTheMountTables() {
		CgroupMounts host = CgroupMounts.host();
		assertThat(CgroupMounts.host()).isSameAs(host);
		assertThat(host).isEqualTo(CgroupMounts.fromMountinfo(CgroupMounts.readMountinfo()));
	}

	@Test
	void coMountedControllersShareTheirMountPoint() {
		String mountinfo = """
				26 25 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
				27 25 0:23 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:10 - cgroup cgroup rw,net_cls,net_prio
				28 25 0:24 / /sys/fs/cgroup/cpuset rw,nosuid shared:11 - cgroup cgroup rw,cpuset,clone_children
				29 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid shared:12 - cgroup cgroup rw,xattr,name=systemd
				""";
		Map<String, Path> hierarchies = CgroupMounts.fromMountinfo(mountinfo).hierarchies();
		assertThat(hierarchies).containsOnlyKeys("cpu", "cpuacct", "net_cls", "net_prio", "cpuset", "name=systemd");
		assertThat(hierarchies.get("cpu")).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct"))
			.isEqualTo(hierarchies.get("cpuacct"));
	}

	@Test
	void cgroup2AloneGivesV2() {
		String mountinfo = """
				30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
				""";
		assertThat(CgroupMounts.fromMountinfo(mountinfo).hierarchies()).containsExactly(
				Map.entry("", Path.of("/sys/fs/cgroup")));
		assertThat(CgroupMounts.fromMountinfo(mountinfo).manager(CgroupPath.parse("x"), CgroupFiles.SYSTEM))
			.isInstanceOf(V2Manager.class);
	}

	@Test
	void escapedMountPointsAreDecoded() {
		String mountinfo = "40 31 0:37 / /mnt/my\\040cgroups/memory rw - cgroup cgroup rw,memory\n";
		assertThat(CgroupMounts.fromMountinfo(mountinfo).hierarchies()).containsEntry("memory",
				Path.of("/mnt/my cgroups/memory"));
	}

	@Test
	void noCgroupMountIsAnError() {
		assertThatExceptionOfType(CgroupException.class)
			.isThrownBy(() -> CgroupMounts.fromMountinfo("25 30 0:23 / /sys rw - sysfs sysfs rw\n")
				.manager(CgroupPath.parse("x"), CgroupFiles.SYSTEM))
			.withMessage("no cgroup filesystem is mounted");
	}

	@Test
	void rootLayoutNamesHierarchiesByDirectory(@TempDir Path root) throws IOException {
		Files.createDirectories(root.resolve("cpu,cpuacct"));
		Files.createSymbolicLink(root.resolve("cpu"), root.resolve("cpu,cpuacct"));
		Files.createDirectories(root.resolve("memory"));
		Files.createDirectories(root.resolve("systemd"));
		Files.createDirectories(root.resolve("unified"));
		Files.writeString(root.resolve("unified/cgroup.controllers"), "\n");
		assertThat(CgroupMounts.fromRoot(root).hierarchies()).containsOnly(
				Map.entry("cpu", root.resolve("cpu,cpuacct")), Map.entry("cpuacct", root.resolve("cpu,cpuacct")),
				Map.entry("memory", root.resolve("memory")),
				Map.entry("name=systemd", root.resolve("systemd")), Map.entry("", root.resolve("unified")));
	}

	@Test
	void createPicksTheVersionFromTheRoot(@TempDir Path root) throws IOException {
		Files.createDirectories(root.resolve("v1/memory"));
		assertThat(CgroupManager.create("abc", root.resolve("v1"))).isInstanceOf(V1Manager.class)
			.satisfies((manager) -> assertThat(manager.path("memory")).isEqualTo(root.resolve("v1/memory/berth/abc")));
		Files.createDirectories(root.resolve("v2"));
		Files.writeString(root.resolve("v2/cgroup.controllers"), "cpu memory pids\n");
		assertThat(CgroupManager.create("/berth/abc", root.resolve("v2"))).isInstanceOf(V2Manager.class)
			.satisfies((manager) -> assertThat(manager.path("memory")).isEqualTo(root.resolve("v2/berth/abc")));
	}

	@Test
	void createOnThisHostFindsItsHierarchies() {
		CgroupManager manager = CgroupManager.create("/berth-test/unused");
		assertThat(manager.exists()).isFalse();
		if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
			assertThat(manager).isInstanceOf(V2Manager.class);
		}
		else {
			assertThat(manager).isInstanceOf(V1Manager.class);
			assertThat(manager.paths()).containsKey("memory");
		}
	}

}
