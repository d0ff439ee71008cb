package dev.berth.runtime.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.TestBundles;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.RuntimeSpec;

/** Rootfs logic against a recording fake of the kernel: what would be mounted where, and in what order. */
class RootfsSetupTests {

	@TempDir
	Path temp;

	@Test
	void mountsLandInsideTheRootfsEvenThroughHostileSymlinks() throws IOException {
		Path rootfs = this.temp.resolve("rootfs");
		Files.createDirectories(rootfs.resolve("etc"));
		Files.createDirectories(rootfs.resolve("var"));
		// an image that points /proc at the host's /etc, and /sys two levels above its root
		Files.createSymbolicLink(rootfs.resolve("proc"), Path.of("/etc"));
		Files.createSymbolicLink(rootfs.resolve("sys"), Path.of("../../var"));
		RecordingSyscalls sys = new RecordingSyscalls();
		new RootfsSetup(sys, spec(Map.of()), rootfs, null, null).mountAll();
		assertThat(sys.matching("mount proc")).containsExactly("mount proc " + rootfs + "/etc proc 0x0");
		assertThat(sys.matching("mount sysfs")).containsExactly("mount sysfs " + rootfs + "/var sysfs 0xf");
		assertThat(sys.calls).allSatisfy((call) -> assertThat(call.split(" ")[2]).startsWith(rootfs.toString()));
	}

	@Test
	void bindMountsRemountForTheirFlagsAndDevicesAreCreated() throws IOException {
		Path rootfs = this.temp.resolve("rootfs");
		Files.createDirectories(rootfs);
		Path data = Files.createDirectories(this.temp.resolve("data"));
		Map<String, Object> extra = Map.of("mounts", List.of(
				Json.obj("destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options", List.of("mode=755")),
				Json.obj("destination", "/data", "type", "bind", "source", data.toString(), "options",
						List.of("rbind", "ro", "rprivate"))));
		RecordingSyscalls sys = new RecordingSyscalls();
		RootfsSetup setup = new RootfsSetup(sys, spec(extra), rootfs, null, null);
		setup.mountAll();
		setup.createDevices();
		assertThat(sys.calls).containsSubsequence("mount " + data + " " + rootfs + "/data bind 0x5000",
				"mount null " + rootfs + "/data null 0x1021", "mount null " + rootfs + "/data null 0x44000");
		assertThat(sys.matching("mknod")).hasSize(6).first().asString().startsWith("mknod " + rootfs + "/dev/null 020666");
		assertThat(Files.readSymbolicLink(rootfs.resolve("dev/ptmx"))).isEqualTo(Path.of("pts/ptmx"));
	}

	@Test
	void pivotRootStacksAndDetachesTheOldRoot() throws IOException {
		Path rootfs = Files.createDirectories(this.temp.resolve("rootfs"));
		RecordingSyscalls sys = new RecordingSyscalls();
		new RootfsSetup(sys, spec(Map.of()), rootfs, null, null).pivotRoot();
		assertThat(sys.calls).containsExactly("chdir " + rootfs, "pivot_root . .", "mount null . null 0x84000",
				"umount . 2", "chdir /");
	}

	@Test
	void aSymlinkLoopIsRefusedNotFollowedForever() throws IOException {
		Path rootfs = Files.createDirectories(this.temp.resolve("rootfs"));
		Files.createSymbolicLink(rootfs.resolve("proc"), Path.of("../../proc"));
		assertThatThrownBy(() -> new RootfsSetup(new RecordingSyscalls(), spec(Map.of()), rootfs, null, null).mountAll())
			.hasMessageContaining("too many levels of symbolic links");
	}

	@Test
	void relativeMountDestinationsAreRefused() throws IOException {
		Path rootfs = Files.createDirectories(this.temp.resolve("rootfs"));
		RuntimeSpec spec = spec(Map.of("mounts",
				List.of(Json.obj("destination", "tmp", "type", "tmpfs", "source", "tmpfs"))));
		assertThatThrownBy(() -> new RootfsSetup(new RecordingSyscalls(), spec, rootfs, null, null).mountAll())
			.hasMessageContaining("destination must be absolute");
	}

	@Test
	void inTheHostsCgroupNamespaceEachHierarchyShowsOnlyTheContainersOwnCgroup() throws IOException {
		Path rootfs = Files.createDirectories(this.temp.resolve("rootfs"));
		Path host = hostCgroups();
		Path own = Files.writeString(this.temp.resolve("cgroup"),
				"9:name=systemd:/berth/abc\n5:cpu,cpuacct:/berth/abc\n3:memory:/berth/abc\n0::/\n");
		Map<String, Object> spec = TestBundles.spec(List.of("true"));
		// Docker's default on cgroup v1: no cgroup namespace of the container's own
		TestBundles.child(spec, "linux").put("namespaces",
				List.of(Json.obj("type", "pid"), Json.obj("type", "mount"), Json.obj("type", "ipc")));
		RecordingSyscalls sys = new RecordingSyscalls();
		new RootfsSetup(sys, RuntimeSpec.parse(Json.write(spec)), rootfs, host, own).mountAll();
		Path cgroups = rootfs.resolve("sys/fs/cgroup");
		assertThat(sys.matching("mount " + host)).containsExactly(
				"mount " + host + "/cpu,cpuacct/berth/abc " + cgroups + "/cpu,cpuacct bind 0x1000",
				"mount " + host + "/memory/berth/abc " + cgroups + "/memory bind 0x1000",
				"mount " + host + "/systemd/berth/abc " + cgroups + "/systemd bind 0x1000");
		// each bind is remounted read-only, nosuid, nodev, noexec; nothing else of the host's tree is mounted
		assertThat(sys.matching("mount null " + cgroups + "/memory ")).containsExactly(
				"mount null " + cgroups + "/memory null 0x102f");
		assertThat(sys.matching("mount cgroup")).isEmpty();
		assertThat(Files.readSymbolicLink(cgroups.resolve("cpu"))).as("the host's alias of a combined hierarchy")
			.isEqualTo(Path.of("cpu,cpuacct"));
	}

	@Test
	void inItsOwnCgroupNamespaceEachHierarchyIsAFreshMount() throws IOException {
		Path rootfs = Files.createDirectories(this.temp.resolve("rootfs"));
		Path host = hostCgroups();
		RecordingSyscalls sys = new RecordingSyscalls();
		new RootfsSetup(sys, spec(Map.of()), rootfs, host, this.temp.resolve("unread")).mountAll();
		Path cgroups = rootfs.resolve("sys/fs/cgroup");
		assertThat(sys.matching("mount cgroup")).containsExactly(
				"mount cgroup " + cgroups + "/cpu,cpuacct cgroup 0xf cpu,cpuacct",
				"mount cgroup " + cgroups + "/memory cgroup 0xf memory",
				"mount cgroup " + cgroups + "/systemd cgroup 0xf none,name=systemd");
	}

	/** A host's cgroup v1 tree: hierarchies with their cgroup.procs, a symlinked alias and the empty cgroup2 mount. */
	private Path hostCgroups() throws IOException {
		Path host = this.temp.resolve("host-cgroup");
		for (String hierarchy : List.of("cpu,cpuacct", "memory", "systemd", "unified")) {
			Files.createDirectories(host.resolve(hierarchy));
			if (!hierarchy.equals("unified")) {
				Files.createFile(host.resolve(hierarchy).resolve("cgroup.procs"));
			}
		}
		Files.createSymbolicLink(host.resolve("cpu"), Path.of("cpu,cpuacct"));
		return host;
	}

	private static RuntimeSpec spec(Map<String, Object> overrides) {
		Map<String, Object> spec = TestBundles.spec(List.of("true"));
		spec.putAll(overrides);
		return RuntimeSpec.parse(Json.write(spec));
	}

}
