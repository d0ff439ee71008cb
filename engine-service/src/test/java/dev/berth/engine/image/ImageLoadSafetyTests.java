package dev.berth.engine.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.Digest;
import dev.berth.engine.testing.Fixtures;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Archives that must not load: names that climb out or are absolute, links where files belong,
 * configs and layers that are not what they claim, truncated streams, documents too large. Each
 * fails with a message that says what is wrong, and leaves the engine exactly as it was: no
 * record, no tag, no blob, nothing staged.
 */
class ImageLoadSafetyTests {

	@TempDir
	Path temp;

	private TestEngine engine;

	private byte[] config;

	private Digest configDigest;

	private byte[] layer;

	@BeforeEach
	void busybox() throws IOException {
		this.engine = TestEngine.open(this.temp.resolve("engine"));
		Path layout = Fixtures.layout(Fixtures.BUSYBOX);
		this.configDigest = TestArchives.imageId(layout);
		this.config = Files.readAllBytes(TestArchives.blob(layout, this.configDigest.toString()));
		this.layer = TestArchives.unpacked(TestArchives.layerBlobs(layout).get(0));
	}

	private String manifest(String config, String layer) {
		return "[{\"Config\":\"" + config + "\",\"RepoTags\":[\"busybox:latest\"],\"Layers\":[\"" + layer + "\"]}]";
	}

	/** A valid archive, so that each test breaks one thing only. */
	private TestArchives.TarWriter valid() throws IOException {
		return new TestArchives.TarWriter().file("l/layer.tar", this.layer)
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest(this.configDigest.hex() + ".json", "l/layer.tar"));
	}

	private void assertRefused(byte[] archive, String message) throws IOException {
		assertThatThrownBy(() -> this.engine.images().load(new ByteArrayInputStream(archive), null, (event) -> {
		})).isInstanceOf(InvalidImageException.class).hasMessage(message);
		this.engine.assertEmpty();
	}

	@Test
	void theValidArchiveLoads() throws IOException {
		assertThat(this.engine.images().load(new ByteArrayInputStream(valid().bytes()), null, (event) -> {
		}).messages()).containsExactly("Loaded image: busybox:latest");
	}

	@Test
	void aNameThatClimbsOutIsRefused() throws IOException {
		assertRefused(valid().file("../evil", "x").bytes(), "invalid archive: entry \"../evil\" leads outside the archive");
		assertRefused(valid().file("a/../../evil", "x").bytes(),
				"invalid archive: entry \"a/../../evil\" leads outside the archive");
	}

	@Test
	void anAbsoluteNameIsRefused() throws IOException {
		assertRefused(valid().file("/etc/cron.d/evil", "x").bytes(),
				"invalid archive: entry \"/etc/cron.d/evil\" has an absolute name");
	}

	@Test
	void aPathInManifestJsonThatClimbsOutIsRefused() throws IOException {
		byte[] archive = new TestArchives.TarWriter().file("l/layer.tar", this.layer)
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest(this.configDigest.hex() + ".json", "../../etc/passwd"))
			.bytes();
		assertRefused(archive, "invalid archive: entry \"../../etc/passwd\" leads outside the archive");
	}

	@Test
	void symbolicLinksWhereFilesBelongAreRefusedUnlessTheyStayInside() throws IOException {
		byte[] absolute = new TestArchives.TarWriter().symlink("manifest.json", "/etc/passwd").bytes();
		assertRefused(absolute, "invalid archive: \"manifest.json\" is a symbolic link to /etc/passwd, outside the archive");
		byte[] climbing = new TestArchives.TarWriter().symlink("l/layer.tar", "../../../var/lib/berth/secret")
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest(this.configDigest.hex() + ".json", "l/layer.tar"))
			.bytes();
		assertRefused(climbing, "invalid archive: \"l/layer.tar\" leads outside the archive");
		byte[] dangling = new TestArchives.TarWriter().symlink("l/layer.tar", "../nothing/layer.tar")
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest(this.configDigest.hex() + ".json", "l/layer.tar"))
			.bytes();
		assertRefused(dangling, "invalid archive: \"l/layer.tar\" is not in the archive");
		byte[] loop = new TestArchives.TarWriter().symlink("a", "b")
			.symlink("b", "a")
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest(this.configDigest.hex() + ".json", "a"))
			.bytes();
		assertRefused(loop, "invalid archive: too many links to follow for \"a\"");
		// a link that stays inside, as dockerd 20.10 writes for a layer shared at two depths, is followed
		byte[] inside = new TestArchives.TarWriter().file("real/layer.tar", this.layer)
			.symlink("l/layer.tar", "../real/layer.tar")
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest(this.configDigest.hex() + ".json", "l/layer.tar"))
			.bytes();
		assertThat(this.engine.images().load(new ByteArrayInputStream(inside), null, (event) -> {
		}).images()).hasSize(1);
	}

	@Test
	void aConfigThatDoesNotHashToItsNameIsRefused() throws IOException {
		String other = Digest.of("another config".getBytes(StandardCharsets.UTF_8)).hex();
		byte[] archive = new TestArchives.TarWriter().file("l/layer.tar", this.layer)
			.file(other + ".json", this.config)
			.file("manifest.json", manifest(other + ".json", "l/layer.tar"))
			.bytes();
		assertRefused(archive, "invalid archive: config \"" + other + ".json\" does not match its name: its content hashes to "
				+ this.configDigest);
	}

	@Test
	void aLayerThatDoesNotUnpackToItsDiffIdIsRefused() throws IOException {
		byte[] tampered = this.layer.clone();
		// flip a byte inside busybox's binary, not in a tar header: still a fine tar
		tampered[tampered.length / 2] ^= 1;
		byte[] archive = new TestArchives.TarWriter().file("l/layer.tar", tampered)
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest(this.configDigest.hex() + ".json", "l/layer.tar"))
			.bytes();
		ObjectNode parsed = (ObjectNode) TestArchives.JSON.readTree(this.config);
		String expected = parsed.path("rootfs").path("diff_ids").get(0).asString();
		assertRefused(archive, "invalid archive: invalid diffID for layer 0: expected \"" + expected + "\", got \""
				+ Digest.of(tampered) + "\"");
	}

	@Test
	void aGoodImageIsNotKeptWhenTheNextOneInTheArchiveIsBad() throws IOException {
		String manifest = "[{\"Config\":\"" + this.configDigest.hex() + ".json\",\"RepoTags\":[\"good:1\"],\"Layers\":[\"l/layer.tar\"]},"
				+ "{\"Config\":\"" + this.configDigest.hex() + ".json\",\"RepoTags\":[\"bad\"],\"Layers\":[\"l/layer.tar\"]}]";
		byte[] archive = new TestArchives.TarWriter().file("l/layer.tar", this.layer)
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest)
			.bytes();
		assertRefused(archive, "invalid archive: invalid tag \"bad\"");
	}

	@Test
	void moreLayersThanDiffIdsIsRefused() throws IOException {
		byte[] archive = new TestArchives.TarWriter().file("l/layer.tar", this.layer)
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", "[{\"Config\":\"" + this.configDigest.hex()
					+ ".json\",\"RepoTags\":[],\"Layers\":[\"l/layer.tar\",\"l/layer.tar\"]}]")
			.bytes();
		assertRefused(archive, "invalid archive: invalid manifest, layers length mismatch: expected 2, got 1");
	}

	@Test
	void aTruncatedArchiveIsRefused() throws IOException {
		byte[] whole = valid().bytes();
		// cut in the middle of the layer, the first entry
		assertRefused(Arrays.copyOf(whole, 512 + this.layer.length / 2), "invalid archive: unexpected end of the archive in \"l/layer.tar\"");
		// or in the middle of a header
		assertThatThrownBy(() -> this.engine.images().load(new ByteArrayInputStream(Arrays.copyOf(whole, 512 + this.layer.length + 100)),
				null, (event) -> {
				})).isInstanceOf(InvalidImageException.class).hasMessageStartingWith("invalid archive: ");
		this.engine.assertEmpty();
	}

	@Test
	void documentsAndArchivesPastTheLimitsAreRefused() throws IOException {
		TestEngine small = TestEngine.open(this.temp.resolve("small"), new ArchiveLimits(1L << 30, 10, 4096));
		String padded = manifest(this.configDigest.hex() + ".json", "l/layer.tar") + " ".repeat(5000);
		byte[] oversize = new TestArchives.TarWriter().file("l/layer.tar", this.layer)
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", padded)
			.bytes();
		assertThatThrownBy(() -> load(small, oversize)).isInstanceOf(InvalidImageException.class)
			.hasMessage("invalid archive: \"manifest.json\" is " + padded.length() + " bytes, more than the 4096 allowed");
		TestArchives.TarWriter many = new TestArchives.TarWriter();
		for (int i = 0; i < 11; i++) {
			many.file("f" + i, "x");
		}
		assertThatThrownBy(() -> load(small, many.bytes())).isInstanceOf(InvalidImageException.class)
			.hasMessage("invalid archive: more than 10 entries");
		TestEngine tiny = TestEngine.open(this.temp.resolve("tiny"), new ArchiveLimits(100_000, 10, 4096));
		assertThatThrownBy(() -> load(tiny, valid().bytes())).isInstanceOf(InvalidImageException.class)
			.hasMessage("invalid archive: the archive is larger than the 100000 bytes allowed");
		small.assertEmpty();
		tiny.assertEmpty();
	}

	@Test
	void anOciBlobThatIsNotWhatItsDescriptorSaysIsRefused() throws IOException {
		Path layout = Fixtures.layout(Fixtures.BUSYBOX);
		Path copy = this.temp.resolve("layout");
		TestArchives.run(List.of("cp", "-a", layout.toString(), copy.toString()));
		Path layerBlob = TestArchives.layerBlobs(copy).get(0);
		byte[] blob = Files.readAllBytes(layerBlob);
		blob[blob.length / 2] ^= 1;
		Files.write(layerBlob, blob);
		byte[] archive = Files.readAllBytes(TestArchives.tar(copy, this.temp.resolve("layout.tar")));
		assertRefused(archive, "invalid archive: blob sha256:" + layerBlob.getFileName() + " does not match its digest: "
				+ "its content hashes to " + Digest.of(blob));
	}

	@Test
	void aLayerThatIsNotGzipAfterAllIsRefused() throws IOException {
		byte[] broken = new byte[4096];
		broken[0] = 0x1f;
		broken[1] = (byte) 0x8b;
		byte[] archive = new TestArchives.TarWriter().file("l/layer.tar.gz", broken)
			.file(this.configDigest.hex() + ".json", this.config)
			.file("manifest.json", manifest(this.configDigest.hex() + ".json", "l/layer.tar.gz"))
			.bytes();
		assertThatThrownBy(() -> load(this.engine, archive)).isInstanceOf(InvalidImageException.class)
			.hasMessageStartingWith("invalid archive: layer \"l/layer.tar.gz\" cannot be decompressed: ");
		this.engine.assertEmpty();
	}

	private static LoadResult load(TestEngine engine, byte[] archive) throws IOException {
		try (InputStream in = new ByteArrayInputStream(archive)) {
			return engine.images().load(in, null, (event) -> {
			});
		}
	}

}
