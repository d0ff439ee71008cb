package dev.berth.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.linux.LinuxSyscalls;

/**
 * {@link LayerUnpacker} on the real kernel, as root: every entry type with its metadata, the
 * three compressions and the diff ID, whiteouts, and every way a layer could try to write outside
 * its directory — each refused, with nothing outside changed.
 */
@Tag("privileged")
class LayerUnpackerTests {

	/**
	 * {@code security.capability}, revision 2 with the effective flag, CAP_NET_BIND_SERVICE and
	 * CAP_SETFCAP permitted: bit 31 makes a 0x80 byte, which is not UTF-8.
	 */
	static final byte[] CAPABILITY = { 0x01, 0, 0, 0x02, 0x00, 0x04, 0x00, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0 };

	private static final Instant OTHER_MTIME = Instant.parse("2000-01-02T03:04:05Z");

	@TempDir
	Path temp;

	/** Where escapes would land: {@code temp/canary/keep}, checked unchanged after every refusal. */
	private Path canary;

	private Path target;

	@BeforeEach
	void setUp() throws IOException {
		this.canary = Files.createDirectories(this.temp.resolve("canary"));
		Files.writeString(this.canary.resolve("keep"), "keep");
		this.target = Files.createDirectories(this.temp.resolve("work/layer"));
	}

	@AfterEach
	void removeLayer() throws IOException {
		// the layer may hold links to the canary and devices: the unpacker's own removal, not JUnit's
		TreeRemoval.removeTree(this.temp.resolve("work"));
		assertThat(this.canary.resolve("keep")).hasContent("keep");
	}

	@Test
	void regularFileKeepsOwnerModeTimesAndBinaryXattrs() throws IOException {
		TarArchiveEntry tool = TarBuilder.entry("usr/bin/tool", TarConstants.LF_NORMAL, 04755);
		tool.setIds(1234, 5678);
		Map<String, byte[]> xattrs = new LinkedHashMap<>();
		xattrs.put("security.capability", CAPABILITY);
		xattrs.put("user.note", "héllo".getBytes(StandardCharsets.UTF_8));
		byte[] tar = new TarBuilder().directory("usr/")
			.directory("usr/bin/")
			.xattrs(xattrs)
			.add(tool, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8))
			.tar();

		UnpackResult result = unpack(tar);

		Path path = this.target.resolve("usr/bin/tool");
		Map<String, Object> unix = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
		assertThat((int) unix.get("mode")).isEqualTo(0104755); // setuid survived the chown before it
		assertThat(unix.get("uid")).isEqualTo(1234);
		assertThat(unix.get("gid")).isEqualTo(5678);
		assertThat(unix.get("lastModifiedTime")).isEqualTo(FileTime.from(TarBuilder.MTIME));
		assertThat(path).hasContent("#!/bin/sh");
		assertThat(xattr(path, "security.capability")).isEqualTo(CAPABILITY);
		assertThat(xattr(path, "user.note")).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
		assertThat(result.entryCount()).isEqualTo(3);
	}

	@Test
	void directoriesKeepTheirModesAndTheirTimesAfterTheirContents() throws IOException {
		TarArchiveEntry srv = TarBuilder.entry("srv/", TarConstants.LF_DIR, 02750);
		srv.setIds(10, 20);
		byte[] tar = new TarBuilder().add(srv, null)
			.add(TarBuilder.entry("srv/shared/", TarConstants.LF_DIR, 01777), null)
			.file("srv/shared/file", "written after both directories")
			.file("unlisted/child", "its directory has no entry")
			.tar();

		unpack(tar);

		Map<String, Object> unix = Files.readAttributes(this.target.resolve("srv"), "unix:*", LinkOption.NOFOLLOW_LINKS);
		assertThat((int) unix.get("mode")).isEqualTo(042750);
		assertThat(unix.get("uid")).isEqualTo(10);
		assertThat(unix.get("gid")).isEqualTo(20);
		assertThat(unix.get("lastModifiedTime")).isEqualTo(FileTime.from(TarBuilder.MTIME));
		assertThat(mode(this.target.resolve("srv/shared"))).isEqualTo(041777);
		assertThat(Files.getLastModifiedTime(this.target.resolve("srv/shared")))
			.isEqualTo(FileTime.from(TarBuilder.MTIME));
		assertThat(mode(this.target.resolve("unlisted"))).isEqualTo(040755);
	}

	@Test
	void symlinksGetTheirOwnOwnerAndTimesAndAreNeverFollowed() throws IOException {
		TarArchiveEntry link = TarBuilder.entry("abs", TarConstants.LF_SYMLINK, 0777);
		link.setLinkName(this.canary.resolve("keep").toString());
		link.setIds(7, 8);
		link.setLastModifiedTime(FileTime.from(OTHER_MTIME));
		byte[] tar = new TarBuilder().add(link, null).symlink("rel", "../nowhere").tar();
		Map<String, String> outside = outside();

		unpack(tar);

		Path abs = this.target.resolve("abs");
		assertThat(Files.readSymbolicLink(abs)).isEqualTo(this.canary.resolve("keep"));
		Map<String, Object> unix = Files.readAttributes(abs, "unix:*", LinkOption.NOFOLLOW_LINKS);
		assertThat(unix.get("uid")).isEqualTo(7);
		assertThat(unix.get("gid")).isEqualTo(8);
		assertThat(unix.get("lastModifiedTime")).isEqualTo(FileTime.from(OTHER_MTIME));
		assertThat(Files.readSymbolicLink(this.target.resolve("rel"))).hasToString("../nowhere");
		assertThat(outside()).isEqualTo(outside);
	}

	@Test
	void hardlinkNamesTheInodeOfAnEarlierEntry() throws IOException {
		byte[] tar = new TarBuilder().file("bin/tool", "one inode").hardlink("bin/alias", "./bin/tool").tar();

		unpack(tar);

		Map<String, Object> tool = Files.readAttributes(this.target.resolve("bin/tool"), "unix:*");
		Map<String, Object> alias = Files.readAttributes(this.target.resolve("bin/alias"), "unix:*");
		assertThat(alias.get("ino")).isEqualTo(tool.get("ino"));
		assertThat(tool.get("nlink")).isEqualTo(2);
	}

	@Test
	void devicesAndFifosKeepTheirNumbersModesAndOwners() throws IOException {
		TarArchiveEntry nullDevice = TarBuilder.entry("dev/null", TarConstants.LF_CHR, 0666);
		nullDevice.setDevMajor(1);
		nullDevice.setDevMinor(3);
		TarArchiveEntry loop = TarBuilder.entry("dev/loop9", TarConstants.LF_BLK, 0660);
		loop.setDevMajor(7);
		loop.setDevMinor(9);
		loop.setGroupId(6);
		TarArchiveEntry pipe = TarBuilder.entry("run/pipe", TarConstants.LF_FIFO, 0620);
		byte[] tar = new TarBuilder().add(nullDevice, null).add(loop, null).add(pipe, null).tar();

		unpack(tar);

		Map<String, Object> nullAttributes = Files.readAttributes(this.target.resolve("dev/null"), "unix:*",
				LinkOption.NOFOLLOW_LINKS);
		assertThat((int) nullAttributes.get("mode")).isEqualTo(020666);
		assertThat(nullAttributes.get("rdev")).isEqualTo(LinuxSyscalls.makedev(1, 3));
		Map<String, Object> loopAttributes = Files.readAttributes(this.target.resolve("dev/loop9"), "unix:*",
				LinkOption.NOFOLLOW_LINKS);
		assertThat((int) loopAttributes.get("mode")).isEqualTo(060660);
		assertThat(loopAttributes.get("rdev")).isEqualTo(LinuxSyscalls.makedev(7, 9));
		assertThat(loopAttributes.get("gid")).isEqualTo(6);
		assertThat(mode(this.target.resolve("run/pipe"))).isEqualTo(010620);
		assertThat(Files.getLastModifiedTime(this.target.resolve("run/pipe"), LinkOption.NOFOLLOW_LINKS))
			.isEqualTo(FileTime.from(TarBuilder.MTIME));
	}

	@Test
	void plainGzipAndZstdGiveOneTreeAndTheDiffIdOfTheUncompressedTar() throws IOException {
		byte[] tar = sampleLayer();
		String diffId = "sha256:" + TreeSnapshot.sha256(tar);

		UnpackResult plain = unpack(tar, this.target, null);
		UnpackResult gzip = unpack(TarBuilder.gzip(tar), Files.createDirectory(this.temp.resolve("work/gzip")),
				Compression.GZIP);
		// media types lie: the bytes decide, whatever the hint says
		UnpackResult zstd = unpack(TarBuilder.zstd(tar), Files.createDirectory(this.temp.resolve("work/zstd")),
				Compression.NONE);

		assertThat(plain).isEqualTo(new UnpackResult(diffId, tar.length, 7, Compression.NONE));
		assertThat(gzip).isEqualTo(new UnpackResult(diffId, tar.length, 7, Compression.GZIP));
		assertThat(zstd).isEqualTo(new UnpackResult(diffId, tar.length, 7, Compression.ZSTD));
		Map<String, String> tree = TreeSnapshot.of(this.target);
		assertThat(tree).hasSize(7);
		assertThat(TreeSnapshot.of(this.temp.resolve("work/gzip"))).isEqualTo(tree);
		assertThat(TreeSnapshot.of(this.temp.resolve("work/zstd"))).isEqualTo(tree);
	}

	@Test
	void diffIdCoversEverythingAfterTheEndOfArchiveBlocks() throws IOException {
		byte[] tar = sampleLayer();
		byte[] padded = Arrays.copyOf(tar, tar.length + 3 * 512 + 7);

		UnpackResult result = unpack(TarBuilder.gzip(padded));

		assertThat(result.diffId()).isEqualTo("sha256:" + TreeSnapshot.sha256(padded));
		assertThat(result.uncompressedSize()).isEqualTo(padded.length);
	}

	@Test
	void whiteoutBecomesACharacterDeviceZeroZero() throws IOException {
		TarArchiveEntry whiteout = TarBuilder.entry("etc/.wh.gone", TarConstants.LF_NORMAL, 0);
		whiteout.setIds(3, 4);
		byte[] tar = new TarBuilder().directory("etc/")
			.file("etc/gone", "replaced by its whiteout")
			.add(whiteout, new byte[0])
			.file("etc/sub/inner", "a directory that a whiteout replaces")
			.add(TarBuilder.entry("etc/.wh.sub", TarConstants.LF_NORMAL, 0), new byte[0])
			.add(TarBuilder.entry("etc/.wh.never-here", TarConstants.LF_NORMAL, 0), new byte[0])
			.tar();

		unpack(tar);

		for (String name : new String[] { "gone", "sub", "never-here" }) {
			Map<String, Object> unix = Files.readAttributes(this.target.resolve("etc").resolve(name), "unix:*",
					LinkOption.NOFOLLOW_LINKS);
			assertThat((int) unix.get("mode") & 0170000).as(name).isEqualTo(DirFd.S_IFCHR);
			assertThat(unix.get("rdev")).as(name).isEqualTo(0L);
		}
		assertThat(Files.getAttribute(this.target.resolve("etc/gone"), "unix:uid", LinkOption.NOFOLLOW_LINKS))
			.isEqualTo(3);
		try (var names = Files.list(this.target.resolve("etc"))) {
			assertThat(names.map((path) -> path.getFileName().toString())).containsExactlyInAnyOrder("gone", "sub",
					"never-here");
		}
	}

	@Test
	void opaqueMarkerSetsTheOverlayAttributeAndAufsMarkersAreSkipped() throws IOException {
		byte[] tar = new TarBuilder().directory("data/")
			.file("data/.wh..wh..opq", "")
			.file("unlisted/.wh..wh..opq", "")
			.file("aufs/.wh..wh.plnk", "")
			.file("./.wh..wh..opq", "")
			.tar();

		unpack(tar);

		assertThat(xattr(this.target.resolve("data"), "trusted.overlay.opaque")).isEqualTo(new byte[] { 'y' });
		assertThat(xattr(this.target.resolve("unlisted"), "trusted.overlay.opaque")).isEqualTo(new byte[] { 'y' });
		assertThat(xattr(this.target, "trusted.overlay.opaque")).isEqualTo(new byte[] { 'y' });
		assertThat(this.target.resolve("data")).isEmptyDirectory();
		assertThat(this.target.resolve("unlisted")).isEmptyDirectory();
		assertThat(this.target.resolve("aufs")).doesNotExist();
	}

	@Test
	void laterEntriesReplaceEarlierOnesAndADirectoryKeepsADirectory() throws IOException {
		TarArchiveEntry fileOverDirectory = TarBuilder.entry("b", TarConstants.LF_NORMAL, 0600);
		fileOverDirectory.setLastModifiedTime(FileTime.from(OTHER_MTIME));
		TarArchiveEntry directoryAgain = TarBuilder.entry("c/", TarConstants.LF_DIR, 0711);
		byte[] tar = new TarBuilder().file("a", "a file first")
			.directory("a/")
			.file("a/inner", "then a directory")
			.directory("b/")
			.file("b/deep/file", "a tree first")
			.add(fileOverDirectory, "then a file".getBytes(StandardCharsets.UTF_8))
			.add(TarBuilder.entry("c/", TarConstants.LF_DIR, 0700), null)
			.file("c/keep", "kept when c/ comes again")
			.add(directoryAgain, null)
			.file("d", "a file first")
			.symlink("d", "then a link")
			.tar();

		unpack(tar);

		assertThat(this.target.resolve("a/inner")).hasContent("then a directory");
		assertThat(this.target.resolve("b")).isRegularFile().hasContent("then a file");
		// the replaced directory's time must not land on the file that took its name
		assertThat(Files.getLastModifiedTime(this.target.resolve("b"))).isEqualTo(FileTime.from(OTHER_MTIME));
		assertThat(this.target.resolve("c/keep")).hasContent("kept when c/ comes again");
		assertThat(mode(this.target.resolve("c"))).isEqualTo(040711);
		assertThat(Files.readSymbolicLink(this.target.resolve("d"))).hasToString("then a link");
	}

	@Test
	void longNamesAndLinkTargetsInBothFormats() throws IOException {
		String directory = "long-".repeat(30) + "/";
		String name = directory + "file-".repeat(30);
		String target = "../" + "target-".repeat(30);
		for (int longFileMode : new int[] { TarArchiveOutputStream.LONGFILE_POSIX, TarArchiveOutputStream.LONGFILE_GNU }) {
			TreeRemoval.removeTree(this.target);
			Files.createDirectory(this.target);

			unpack(new TarBuilder(longFileMode).file(name, "a long name").symlink(name + ".link", target)
				.hardlink(name + ".hard", name)
				.tar());

			assertThat(this.target.resolve(name)).hasContent("a long name");
			assertThat(Files.readSymbolicLink(this.target.resolve(name + ".link"))).hasToString(target);
			assertThat(Files.getAttribute(this.target.resolve(name + ".hard"), "unix:nlink")).isEqualTo(2);
		}
	}

	@Test
	void olderEntryTypesAreReadAsGoReadsThem() throws IOException {
		byte[] tar = new TarBuilder().add(TarBuilder.entry("old-style/", TarConstants.LF_OLDNORM, 0750), null)
			.add(TarBuilder.entry("old-file", TarConstants.LF_OLDNORM, 0640), "pre-POSIX".getBytes(StandardCharsets.UTF_8))
			.add(TarBuilder.entry("contiguous", TarConstants.LF_CONTIG, 0644), "a file".getBytes(StandardCharsets.UTF_8))
			.tar();

		unpack(tar);

		assertThat(mode(this.target.resolve("old-style"))).isEqualTo(040750);
		assertThat(this.target.resolve("old-file")).hasContent("pre-POSIX");
		assertThat(this.target.resolve("contiguous")).hasContent("a file");
	}

	@Test
	void unknownEntryTypesAreRefused() throws IOException {
		assertRefused(new TarBuilder().add(TarBuilder.entry("odd", (byte) 'Q', 0644), new byte[0]).tar(), "odd",
				"unsupported tar entry type 'Q'");
	}

	@Test
	void rootEntrySetsTheTargetsOwnMetadata() throws IOException {
		TarArchiveEntry root = TarBuilder.entry("./", TarConstants.LF_DIR, 0750);
		root.setIds(5, 6);
		unpack(new TarBuilder().add(root, null).file("./file", "in the root").tar());

		Map<String, Object> unix = Files.readAttributes(this.target, "unix:*", LinkOption.NOFOLLOW_LINKS);
		assertThat((int) unix.get("mode")).isEqualTo(040750);
		assertThat(unix.get("uid")).isEqualTo(5);
		assertThat(unix.get("lastModifiedTime")).isEqualTo(FileTime.from(TarBuilder.MTIME));
	}

	@Test
	void leadingSlashIsRelativeToTheLayerRoot() throws IOException {
		unpack(new TarBuilder().file("/etc/absolute", "inside").file("/a/../b", "cleaned").tar());

		assertThat(this.target.resolve("etc/absolute")).hasContent("inside");
		assertThat(this.target.resolve("b")).hasContent("cleaned");
	}

	@Test
	void namesThatClimbOutAreRefused() throws IOException {
		for (String name : new String[] { "../x", "../../canary/x", "/abs/../../x", "a/../../x", "./../x",
				"a/b/../../../canary/x" }) {
			assertRefused(new TarBuilder().file(name, "escaped").tar(), name, "climbs above the layer root");
		}
	}

	@Test
	void writingThroughAnAbsoluteSymlinkIsRefused() throws IOException {
		byte[] tar = new TarBuilder().symlink("l", this.canary.toString()).file("l/pwned", "escaped").tar();

		assertRefused(tar, "l/pwned", "passes through \"l\", which is a symbolic link");
	}

	@Test
	void writingThroughARelativeSymlinkIsRefused() throws IOException {
		byte[] tar = new TarBuilder().symlink("l", "../..").file("l/canary/pwned", "escaped").tar();

		assertRefused(tar, "l/canary/pwned", "passes through \"l\"");
		assertRefused(new TarBuilder().symlink("l", "../..").directory("l/x/").tar(), "l/x/", "passes through \"l\"");
	}

	@Test
	void hardlinkToAPathOutsideIsRefused() throws IOException {
		assertRefused(new TarBuilder().hardlink("h", "../../canary/keep").tar(), "h", "hard link target");
		assertRefused(new TarBuilder().hardlink("h", "../../etc/passwd").tar(), "h", "climbs above the layer root");
		assertRefused(new TarBuilder().hardlink("h", "/../../../etc/passwd").tar(), "h", "climbs above");
		// an absolute target is, like a name, relative to the layer root: not in this layer
		assertRefused(new TarBuilder().hardlink("h", this.canary.resolve("keep").toString()).tar(), "h",
				"is not in this layer");
	}

	@Test
	void hardlinkToASymlinkLinksTheSymlinkItself() throws IOException {
		Path keep = this.canary.resolve("keep");
		byte[] tar = new TarBuilder().symlink("evil", keep.toString()).hardlink("h", "evil").tar();
		Map<String, String> outside = outside();

		unpack(tar);

		Path h = this.target.resolve("h");
		assertThat(Files.isSymbolicLink(h)).isTrue();
		assertThat(Files.readSymbolicLink(h)).isEqualTo(keep);
		assertThat(Files.getAttribute(h, "unix:ino", LinkOption.NOFOLLOW_LINKS))
			.isEqualTo(Files.getAttribute(this.target.resolve("evil"), "unix:ino", LinkOption.NOFOLLOW_LINKS));
		assertThat(Files.getAttribute(keep, "unix:nlink")).isEqualTo(1);
		assertThat(outside()).isEqualTo(outside);
	}

	@Test
	void hardlinkThroughASymlinkIsRefused() throws IOException {
		byte[] tar = new TarBuilder().symlink("l", this.canary.toString()).hardlink("h", "l/keep").tar();

		assertRefused(tar, "h", "hard link target \"l/keep\" passes through \"l\"");
	}

	@Test
	void directoryReplacedBySymlinkMidArchiveCannotBeWrittenThrough() throws IOException {
		byte[] tar = new TarBuilder().directory("d/")
			.file("d/ok", "fine while d is a directory")
			.symlink("d", this.canary.toString())
			.file("d/pwned", "escaped")
			.tar();

		assertRefused(tar, "d/pwned", "passes through \"d\"");
	}

	@Test
	void whiteoutsAndOpaqueMarkersThroughASymlinkAreRefused() throws IOException {
		assertRefused(new TarBuilder().symlink("l", this.canary.toString()).file("l/.wh.keep", "").tar(),
				"l/.wh.keep", "passes through \"l\"");
		assertRefused(new TarBuilder().symlink("l", this.canary.toString()).file("l/.wh..wh..opq", "").tar(),
				"l/.wh..wh..opq", "passes through \"l\"");
	}

	@Test
	void entriesReplaceASymlinkInsteadOfWritingThroughIt() throws IOException {
		TarArchiveEntry directory = TarBuilder.entry("d/", TarConstants.LF_DIR, 0700);
		directory.setIds(99, 99);
		byte[] tar = new TarBuilder().symlink("f", this.canary.resolve("keep").toString())
			.file("f", "mine")
			.symlink("d", this.canary.toString())
			.add(directory, null)
			.tar();
		Map<String, String> outside = outside();

		unpack(tar);

		assertThat(this.target.resolve("f")).isRegularFile().hasContent("mine");
		assertThat(Files.isSymbolicLink(this.target.resolve("d"))).isFalse();
		assertThat(Files.getAttribute(this.target.resolve("d"), "unix:uid")).isEqualTo(99);
		assertThat(outside()).isEqualTo(outside);
	}

	@Test
	void tooManyEntriesAreRefused() throws IOException {
		byte[] tar = new TarBuilder().file("1", "").file("2", "").file("3", "").file("4", "").tar();

		assertThatExceptionOfType(LayerUnpackException.class)
			.isThrownBy(() -> new LayerUnpacker(new UnpackLimits(1 << 20, 3)).unpack(new ByteArrayInputStream(tar),
					this.target))
			.withMessage("layer entry \"4\": the layer has more entries than the limit of 3");
	}

	@Test
	void tooManyBytesAreRefused() throws IOException {
		byte[] tar = new TarBuilder().file("big", "x".repeat(20_000)).tar();

		assertThatExceptionOfType(LayerUnpackException.class)
			.isThrownBy(() -> new LayerUnpacker(new UnpackLimits(8192, 100)).unpack(new ByteArrayInputStream(tar),
					this.target))
			.withMessageContaining("larger than the limit of 8192 bytes");
	}

	@Test
	void zstdBombStopsAtTheLimit() throws IOException {
		// 256 MiB of zeros in one file entry: a few kilobytes of zstd
		ByteArrayOutputStream blob = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new ZstdOutputStream(blob))) {
			TarArchiveEntry zeros = TarBuilder.entry("zeros", TarConstants.LF_NORMAL, 0644);
			zeros.setSize(256L << 20);
			tar.putArchiveEntry(zeros);
			byte[] chunk = new byte[1 << 20];
			for (int i = 0; i < 256; i++) {
				tar.write(chunk);
			}
			tar.closeArchiveEntry();
		}
		assertThat(blob.size()).isLessThan(64 * 1024);

		assertThatExceptionOfType(LayerUnpackException.class)
			.isThrownBy(() -> new LayerUnpacker(new UnpackLimits(4 << 20, 100))
				.unpack(new ByteArrayInputStream(blob.toByteArray()), this.target))
			.withMessageContaining("larger than the limit of 4194304 bytes");
		assertThat(Files.size(this.target.resolve("zeros"))).isLessThanOrEqualTo(4 << 20);
	}

	@Test
	void oversizedPaxHeaderIsRefused() throws IOException {
		TarArchiveEntry entry = TarBuilder.entry("file", TarConstants.LF_NORMAL, 0644);
		entry.addPaxHeader("comment", "c".repeat(2 << 20));

		assertRefused(new TarBuilder().add(entry, new byte[0]).tar(), null, "metadata entry");
	}

	@Test
	void overlongNamesAreRefused() throws IOException {
		String longest = "n".repeat(255);
		unpack(new TarBuilder().file(longest, "NAME_MAX bytes fit").tar());
		assertThat(this.target.resolve(longest)).exists();

		assertRefused(new TarBuilder().file("n".repeat(256), "").tar(), "n".repeat(256),
				"has a component of 256 bytes; NAME_MAX allows 255");
		// NAME_MAX counts bytes: 128 two-byte characters are 256
		assertRefused(new TarBuilder().file("é".repeat(128), "").tar(), "é".repeat(128), "NAME_MAX");
		String deep = ("d".repeat(200) + "/").repeat(21) + "file";
		assertRefused(new TarBuilder().file(deep, "").tar(), deep, "name is 4225 bytes long; PATH_MAX");
		assertRefused(new TarBuilder().symlink("l", "t/".repeat(2048)).tar(), "l", "link target is 4096 bytes long");
		assertRefused(new TarBuilder().hardlink("h", "n".repeat(300)).tar(), "h", "hard link target has a component");
	}

	@Test
	void targetMustBeEmpty() throws IOException {
		Files.writeString(this.target.resolve("left-over"), "");

		assertThatIllegalArgumentException().isThrownBy(() -> unpack(sampleLayer())).withMessageContaining("not empty");
	}

	@Test
	void aStreamThatIsNoTarIsRefused() {
		byte[] noise = new byte[4096];
		new Random(42).nextBytes(noise);
		noise[0] = 'x'; // not a gzip or zstd magic either

		assertThatExceptionOfType(LayerUnpackException.class)
			.isThrownBy(() -> unpack(noise, this.target, Compression.GZIP))
			.withMessageContaining("not a readable tar stream at its start (declared GZIP, but the bytes say NONE)");
	}

	@Test
	void removeTreeRemovesAPartialLayerWithoutFollowingItsLinks() throws IOException {
		byte[] tar = new TarBuilder().symlink("to-canary", this.canary.toString())
			.symlink("to-keep", this.canary.resolve("keep").toString())
			.add(TarBuilder.entry("locked/", TarConstants.LF_DIR, 0), null)
			.file("locked/inner", "in a directory of mode 0")
			.symlink("d", "../..")
			.file("d/x", "refused here, after the links")
			.tar();
		assertThatExceptionOfType(LayerUnpackException.class).isThrownBy(() -> unpack(tar));
		Map<String, String> canary = TreeSnapshot.of(this.canary);

		TreeRemoval.removeTree(this.target);

		assertThat(this.target).doesNotExist();
		assertThat(TreeSnapshot.of(this.canary)).isEqualTo(canary);
	}

	/** Seven entries of most types, the root's own included. */
	private static byte[] sampleLayer() {
		TarArchiveEntry fifo = TarBuilder.entry("run/pipe", TarConstants.LF_FIFO, 0600);
		return new TarBuilder().directory("./")
			.directory("etc/")
			.file("etc/hostname", "berth\n")
			.symlink("etc/link", "hostname")
			.hardlink("etc/alias", "etc/hostname")
			.directory("run/")
			.add(fifo, null)
			.tar();
	}

	private UnpackResult unpack(byte[] blob) throws IOException {
		return unpack(blob, this.target, null);
	}

	private static UnpackResult unpack(byte[] blob, Path target, Compression hint) throws IOException {
		return new LayerUnpacker().unpack(new ByteArrayInputStream(blob), target, hint);
	}

	/**
	 * Unpacks {@code tar} into a fresh target, expecting a refusal naming {@code entry} (null for
	 * the layer as a whole) with {@code reason}, and nothing changed outside the target.
	 */
	private void assertRefused(byte[] tar, String entry, String reason) throws IOException {
		TreeRemoval.removeTree(this.target);
		Files.createDirectory(this.target);
		Map<String, String> outside = outside();

		assertThatExceptionOfType(LayerUnpackException.class).isThrownBy(() -> unpack(tar))
			.withMessageContaining(reason)
			.satisfies((ex) -> assertThat(ex.entry()).isEqualTo(entry));
		assertThat(outside()).isEqualTo(outside);
	}

	/** Everything in the test's directory but the layer. */
	private Map<String, String> outside() {
		return TreeSnapshot.of(this.temp, this.target);
	}

	private static int mode(Path path) throws IOException {
		return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
	}

	static byte[] xattr(Path path, String key) {
		try (DirFd parent = DirFd.open(path.toAbsolutePath().getParent())) {
			return parent.getXattr(path.getFileName().toString(), key);
		}
	}

}
