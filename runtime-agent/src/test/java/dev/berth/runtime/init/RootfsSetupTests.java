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
		new RootfsSetup(sys, spec(Map.of()), rootfs, null).mountAll();
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
		RootfsSetup setup = new RootfsSetup(sys, spec(extra), rootfs, null);
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
		new RootfsSetup(sys, spec(Map.of()), rootfs, null).pivotRoot();
		assertThat(sys.calls).containsExactly("chdir " + rootfs, "pivot_root . .", "mount null . null 0x84000",
				"umount . 2", "chdir /");
	}

	@Test
	void aSymlinkLoopIsRefusedNotFollowedForever() throws IOException {
		Path rootfs = Files.createDirectories(this.temp.resolve("rootfs"));
		Files.createSymbolicLink(rootfs.resolve("proc"), Path.of("../../proc"));
		assertThatThrownBy(() -> new RootfsSetup(new RecordingSyscalls(), spec(Map.of()), rootfs, null).mountAll())
			.hasMessageContaining("too many levels of symbolic links");
	}

	@Test
	void relativeMountDestinationsAreRefused() throws IOException {
		Path rootfs = Files.createDirectories(this.temp.resolve("rootfs"));
		RuntimeSpec spec = spec(Map.of("mounts",
				List.of(Json.obj("destination", "tmp", "type", "tmpfs", "source", "tmpfs"))));
		assertThatThrownBy(() -> new RootfsSetup(new RecordingSyscalls(), spec, rootfs, null).mountAll())
			.hasMessageContaining("destination must be absolute");
	}

	private static RuntimeSpec spec(Map<String, Object> overrides) {
		Map<String, Object> spec = TestBundles.spec(List.of("true"));
		spec.putAll(overrides);
		return RuntimeSpec.parse(Json.write(spec));
	}

}
