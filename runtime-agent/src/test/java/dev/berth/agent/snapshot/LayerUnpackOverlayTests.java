package dev.berth.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.LinuxSyscalls;

/**
 * Two unpacked layers mounted as a real overlayfs, as a container's rootfs is: the upper layer's
 * whiteout hides a lower file, its opaque directory hides the lower directory's contents, and a
 * plain directory merges with the lower one.
 */
@Tag("privileged")
class LayerUnpackOverlayTests {

	private static final LinuxSyscalls SYSCALLS = JnaLinuxSyscalls.INSTANCE;

	@TempDir
	Path temp;

	@AfterEach
	void removeLayers() throws IOException {
		// whiteouts are character devices: the unpacker's own removal
		TreeRemoval.removeTree(this.temp.resolve("lower"));
		TreeRemoval.removeTree(this.temp.resolve("upper"));
	}

	@Test
	void whiteoutAndOpaqueDirectoryHideTheLowerLayer() throws Exception {
		Path lower = unpack("lower", new TarBuilder().directory("etc/")
			.file("etc/keep", "from the lower layer")
			.file("etc/gone", "deleted by the upper layer")
			.directory("data/")
			.file("data/old1", "hidden by the opaque directory")
			.file("data/old2", "hidden by the opaque directory")
			.directory("shared/")
			.file("shared/lower-file", "merged")
			.tar());
		Path upper = unpack("upper", new TarBuilder().directory("etc/")
			.file("etc/.wh.gone", "")
			.directory("data/")
			.file("data/.wh..wh..opq", "")
			.file("data/new", "the only entry left in data")
			.directory("shared/")
			.file("shared/upper-file", "merged")
			.tar());
		Path mountPoint = Files.createDirectory(this.temp.resolve("merged"));

		List<List<String>> seen = PrivateMounts.run(() -> {
			SYSCALLS.mount("overlay", mountPoint.toString(), "overlay", LinuxSyscalls.MS_RDONLY,
					"lowerdir=" + upper + ":" + lower);
			try {
				return List.of(names(mountPoint.resolve("etc")), names(mountPoint.resolve("data")),
						names(mountPoint.resolve("shared")),
						List.of(Files.readString(mountPoint.resolve("etc/keep")),
								String.valueOf(Files.exists(mountPoint.resolve("etc/gone")))));
			}
			finally {
				SYSCALLS.umount(mountPoint.toString(), 0);
			}
		});

		assertThat(seen.get(0)).containsExactly("keep");
		assertThat(seen.get(1)).containsExactly("new");
		assertThat(seen.get(2)).containsExactly("lower-file", "upper-file");
		assertThat(seen.get(3)).containsExactly("from the lower layer", "false");
		// the mount lived in the thread's namespace only
		assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(mountPoint.toString());
		assertThat(mountPoint).isEmptyDirectory();
	}

	private Path unpack(String name, byte[] tar) throws IOException {
		Path target = Files.createDirectory(this.temp.resolve(name));
		new LayerUnpacker().unpack(new ByteArrayInputStream(tar), target);
		return target;
	}

	private static List<String> names(Path directory) throws IOException {
		try (Stream<Path> entries = Files.list(directory)) {
			return entries.map((path) -> path.getFileName().toString()).sorted().toList();
		}
	}

}
