package dev.berth.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.linux.LinuxSyscalls;

/**
 * A layer written by another tar than ours: GNU tar, in the POSIX format that carries xattrs and
 * nanosecond times, over a busybox root filesystem (Debian's busybox-static, every applet a hard
 * link as in Docker's busybox image), gzipped by gzip. Unpacked, it must be the tree it was made
 * from, and its diff ID the digest of the tar.
 */
@Tag("privileged")
class LayerUnpackRealTarTests {

	private static final Path BUSYBOX = Path.of("/bin/busybox");

	@TempDir
	Path temp;

	@AfterEach
	void removeTrees() throws IOException {
		// devices, a setuid file and links in there: the unpacker's own removal
		TreeRemoval.removeTree(this.temp.resolve("rootfs"));
		TreeRemoval.removeTree(this.temp.resolve("layer"));
	}

	@Test
	void gnuTarOfABusyboxRootfsUnpacksToTheSameTree() throws Exception {
		Path rootfs = busyboxRootfs(this.temp.resolve("rootfs"));
		Path tar = this.temp.resolve("layer.tar");
		run("tar", "--format=posix", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", rootfs.toString(), "-cf",
				tar.toString(), ".");
		run("gzip", "-n", "-k", tar.toString());
		Path target = Files.createDirectory(this.temp.resolve("layer"));

		UnpackResult result;
		try (InputStream blob = Files.newInputStream(this.temp.resolve("layer.tar.gz"))) {
			result = new LayerUnpacker().unpack(blob, target, Compression.GZIP);
		}

		byte[] uncompressed = Files.readAllBytes(tar);
		assertThat(result.diffId()).isEqualTo("sha256:" + TreeSnapshot.sha256(uncompressed));
		assertThat(result.uncompressedSize()).isEqualTo(uncompressed.length);
		assertThat(result.compression()).isEqualTo(Compression.GZIP);
		Map<String, String> expected = TreeSnapshot.of(rootfs);
		assertThat(result.entryCount()).isEqualTo(expected.size());
		assertThat(TreeSnapshot.of(target)).isEqualTo(expected);
		// the snapshot compares these too; named here so that a regression reads plainly
		assertThat(LayerUnpackerTests.xattr(target.resolve("bin/busybox"), "security.capability"))
			.isEqualTo(LayerUnpackerTests.CAPABILITY);
		assertThat(Files.getAttribute(target.resolve("bin/sh"), "unix:ino"))
			.isEqualTo(Files.getAttribute(target.resolve("bin/busybox"), "unix:ino"));
		assertThat(run(target.resolve("bin/sh").toString(), "-c", "echo unpacked")).isEqualTo("unpacked\n");
	}

	/**
	 * A small root filesystem with a bit of everything a layer holds; directory times are set
	 * last, since writing into a directory moves its own.
	 */
	private static Path busyboxRootfs(Path root) throws Exception {
		Path bin = Files.createDirectories(root.resolve("bin"));
		Path busybox = Files.copy(BUSYBOX, bin.resolve("busybox"));
		for (String applet : run(BUSYBOX.toString(), "--list").split("\n")) {
			if (!applet.equals("busybox")) {
				Files.createLink(bin.resolve(applet), busybox);
			}
		}
		Files.createSymbolicLink(Files.createDirectories(root.resolve("usr/bin")).resolve("env"),
				Path.of("../../bin/env"));
		Files.createSymbolicLink(root.resolve("usr/bin/absolute"), BUSYBOX);
		Path etc = Files.createDirectories(root.resolve("etc"));
		Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
		Files.writeString(etc.resolve("shadow"), "root:*:19000:0:99999:7:::\n");
		Files.setAttribute(etc.resolve("shadow"), "unix:gid", 42);
		Files.setAttribute(etc.resolve("shadow"), "unix:mode", 0640);
		Path su = Files.writeString(Files.createDirectories(root.resolve("usr/sbin")).resolve("su"), "#!/bin/sh\n");
		Files.setAttribute(su, "unix:mode", 04755);
		Path tmp = Files.createDirectories(root.resolve("tmp"));
		Files.setAttribute(tmp, "unix:mode", 01777);
		Path home = Files.createDirectories(root.resolve("home/user"));
		Files.writeString(home.resolve("café naïve.txt"), "not ASCII\n");
		Path deep = Files.createDirectories(home.resolve("a-directory-name-long-enough".repeat(4)));
		Files.writeString(deep.resolve("and-a-file-name-long-enough-for-pax".repeat(3)), "past ustar's 100 bytes\n");
		setOwner(home, 1000, 1000);
		Path dev = Files.createDirectories(root.resolve("dev"));
		try (DirFd devices = DirFd.open(dev); DirFd binDirectory = DirFd.open(bin)) {
			devices.mknod("null", DirFd.S_IFCHR | 0666, LinuxSyscalls.makedev(1, 3));
			devices.mknod("initctl", DirFd.S_IFIFO | 0600, 0);
			binDirectory.setXattr("busybox", "security.capability", LayerUnpackerTests.CAPABILITY);
			binDirectory.setXattr("busybox", "user.note", "set by the test".getBytes(StandardCharsets.UTF_8));
		}
		setTimes(root);
		return root;
	}

	private static void setOwner(Path tree, int uid, int gid) throws IOException {
		try (var paths = Files.walk(tree)) {
			for (Path path : paths.toList()) {
				Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
				Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
			}
		}
	}

	/**
	 * Gives every path its own time with nanoseconds, directories after their contents; with
	 * utimensat, which opens nothing (opening the FIFO would wait for a writer) and sets a link's
	 * own time.
	 */
	private static void setTimes(Path root) throws IOException {
		List<Path> paths = new ArrayList<>();
		Files.walkFileTree(root, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
				paths.add(file);
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult postVisitDirectory(Path dir, IOException ex) {
				paths.add(dir);
				return FileVisitResult.CONTINUE;
			}

		});
		for (Path path : paths) {
			Instant time = Instant.parse("2024-05-06T07:08:09Z").plusNanos(Math.floorMod(path.hashCode(), 1_000_000_000));
			try (DirFd parent = DirFd.open(path.getParent())) {
				parent.setTimes(path.getFileName().toString(), time, time);
			}
		}
	}

	private static String run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
		return output;
	}

}
