package dev.berth.agent.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.linux.DirFd;

import static org.assertj.core.api.Assertions.assertThat;

/** The init layer on unpacked layers as the unpacker leaves them: overlayfs whiteouts and opaque markers (root). */
class InitLayerTests {

	@TempDir
	Path temp;

	@Test
	void mountPointsTheImageLacksAreMadeAndWhatItHasIsLeftToIt() throws IOException {
		Path base = layer("base");
		Files.createDirectories(base.resolve("etc"));
		Files.writeString(base.resolve("etc/hostname"), "from the image");
		Files.writeString(base.resolve("etc/resolv.conf"), "nameserver 192.0.2.1");
		Files.createDirectories(base.resolve("proc"));
		Path top = layer("top");
		Files.createDirectories(top.resolve("etc"));
		// the top layer deleted the base's resolv.conf
		try (DirFd etc = DirFd.open(top.resolve("etc"))) {
			etc.mknod("resolv.conf", DirFd.S_IFCHR | 0, 0);
		}
		Path init = this.temp.resolve("init");
		InitLayer.create(init, List.of(top, base));

		assertThat(init.resolve("etc/hostname")).as("the image's own stays visible").doesNotExist();
		assertThat(init.resolve("proc")).doesNotExist();
		assertThat(init.resolve("etc/resolv.conf")).as("whited out in the image: a mount point is needed").isEmptyFile();
		assertThat(init.resolve("etc/hosts")).isEmptyFile();
		assertThat(init.resolve(".dockerenv")).isEmptyFile();
		assertThat(init.resolve("dev/pts")).isDirectory();
		assertThat(init.resolve("sys")).isDirectory();
		assertThat(Files.readSymbolicLink(init.resolve("etc/mtab"))).isEqualTo(Path.of("/proc/mounts"));
	}

	@Test
	void anOpaqueDirectoryHidesWhatTheLayersBelowHaveInIt() throws IOException {
		Path base = layer("base");
		Files.createDirectories(base.resolve("etc"));
		Files.writeString(base.resolve("etc/hosts"), "127.0.0.1 base");
		Files.writeString(base.resolve("etc/hostname"), "base");
		Path top = layer("top");
		Files.createDirectories(top.resolve("etc"));
		Files.writeString(top.resolve("etc/hostname"), "top");
		try (DirFd root = DirFd.open(top)) {
			root.setXattr("etc", "trusted.overlay.opaque", "y".getBytes(StandardCharsets.US_ASCII));
		}
		assertThat(InitLayer.inImage(List.of(top, base), "etc/hostname")).isTrue();
		assertThat(InitLayer.inImage(List.of(top, base), "etc/hosts")).isFalse();
		assertThat(InitLayer.inImage(List.of(base), "etc/hosts")).isTrue();
		assertThat(InitLayer.inImage(List.of(top, base), "dev/pts")).isFalse();
	}

	private Path layer(String name) throws IOException {
		return Files.createDirectories(this.temp.resolve(name));
	}

}
