package dev.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a file of a container's root filesystem: every link resolved inside the root, so a
 * hostile image cannot make the node read its own files instead.
 */
class DirFdReadInRootTests {

	@TempDir
	Path dir;

	@Test
	void linksAndDotDotStayInsideTheRoot() throws Exception {
		Path root = Files.createDirectories(this.dir.resolve("root"));
		Files.createDirectories(root.resolve("etc"));
		Files.writeString(this.dir.resolve("secret"), "the host's");
		Files.writeString(root.resolve("secret"), "the container's");
		Files.createSymbolicLink(root.resolve("etc/absolute"), Path.of("/secret"));
		Files.createSymbolicLink(root.resolve("etc/climbing"), Path.of("../../../../secret"));
		Files.createSymbolicLink(root.resolve("link-to-etc"), Path.of("/etc"));
		Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
		try (DirFd directory = DirFd.open(root)) {
			assertThat(read(directory, "/etc/absolute")).isEqualTo("the container's");
			assertThat(read(directory, "/etc/climbing")).isEqualTo("the container's");
			assertThat(read(directory, "/../../secret")).isEqualTo("the container's");
			assertThat(read(directory, "/link-to-etc/passwd")).isEqualTo("root:x:0:0::/root:/bin/sh\n");
		}
	}

	@Test
	void nothingThereOrNoRegularFileIsNull() throws Exception {
		Path root = Files.createDirectories(this.dir.resolve("root"));
		Files.createDirectories(root.resolve("etc/group"));
		Files.createSymbolicLink(root.resolve("loop"), Path.of("/loop"));
		Kernel.mkfifo(root.resolve("fifo").toString(), 0600);
		try (DirFd directory = DirFd.open(root)) {
			assertThat(directory.readFileInRoot("/etc/passwd", 1024)).isNull();
			assertThat(directory.readFileInRoot("/etc/group", 1024)).as("a directory").isNull();
			assertThat(directory.readFileInRoot("/loop", 1024)).isNull();
			assertThat(directory.readFileInRoot("/fifo", 1024)).as("a FIFO, not opened for reading").isNull();
		}
	}

	private static String read(DirFd directory, String path) {
		return new String(directory.readFileInRoot(path, 1024), StandardCharsets.UTF_8);
	}

}
