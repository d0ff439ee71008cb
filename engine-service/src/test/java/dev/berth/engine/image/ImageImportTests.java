package dev.berth.engine.image;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.github.luben.zstd.ZstdOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.MediaTypes;
import dev.berth.engine.registry.Platform;
import dev.berth.engine.testing.Fixtures;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker import of busybox's root filesystem tar, as the fixture layer holds it. */
class ImageImportTests {

	@TempDir
	Path temp;

	private TestEngine engine;

	private byte[] rootfs;

	@BeforeEach
	void setUp() throws IOException {
		this.engine = TestEngine.open(this.temp.resolve("engine"));
		this.rootfs = TestArchives.unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.BUSYBOX)).get(0));
	}

	private ImageRecord importImage(byte[] body, ImportOptions options) throws IOException {
		return this.engine.images().importImage(new ByteArrayInputStream(body), options);
	}

	@Test
	void aTarBecomesAOneLayerImageWithTheChangesAndTheMessage() throws IOException {
		List<String> changes = List.of("ENV A=1", "CMD [\"sh\"]", "WORKDIR /srv", "EXPOSE 8080", "LABEL made=here",
				"STOPSIGNAL SIGINT");
		ImageRecord record = importImage(this.rootfs, new ImportOptions("imported", "v1", changes, "hello msg", null));
		ImageConfig config = this.engine.images().config(record);
		JsonNode json = config.json();
		assertThat(record.id()).isEqualTo(Digest.of(this.engine.images().configBytes(record)));
		assertThat(config.os()).isEqualTo("linux");
		assertThat(config.architecture()).isEqualTo(Platform.host().architecture());
		assertThat(json.path("comment").asString()).isEqualTo("hello msg");
		assertThat(json.path("config")).isEqualTo(TestArchives.JSON.readTree("""
				{"Env":["A=1"],"Cmd":["sh"],"WorkingDir":"/srv","ExposedPorts":{"8080/tcp":{}},"Labels":{"made":"here"},
				 "StopSignal":"SIGINT"}"""));
		assertThat(json.path("history")).hasSize(1);
		assertThat(json.path("history").get(0).path("comment").asString()).isEqualTo("hello msg");
		assertThat(json.path("history").get(0).has("created_by")).isFalse();
		assertThat(json.path("history").get(0).path("created").asString()).isEqualTo(json.path("created").asString());
		assertThat(record.created()).isEqualTo(config.created());
		assertThat(config.diffIds()).containsExactly(Digest.of(this.rootfs));

		ImageRecord.Layer layer = record.layers().get(0);
		assertThat(layer.diffId()).isEqualTo(Digest.of(this.rootfs));
		assertThat(layer.unpackedSize()).isEqualTo(this.rootfs.length);
		assertThat(layer.mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER);
		assertThat(layer.size()).isLessThan(this.rootfs.length).isEqualTo(this.engine.content().size(layer.blob()));
		try (InputStream in = new GZIPInputStream(this.engine.content().open(layer.blob()))) {
			assertThat(in.readAllBytes()).isEqualTo(this.rootfs);
		}
		assertThat(this.engine.images().repoTags(record)).containsExactly("imported:v1");
		assertThat(record.lastTagTime()).isNotNull();

		List<HistoryItem> history = this.engine.images().history("imported:v1");
		assertThat(history).containsExactly(new HistoryItem(record.id().toString(), record.created().getEpochSecond(), "",
				List.of("imported:v1"), this.rootfs.length, "hello msg"));
		assertThat(this.temp.resolve("engine/content/tmp")).isEmptyDirectory();
	}

	@Test
	void compressedBodiesUnpackToTheSameLayer() throws IOException {
		ByteArrayOutputStream gzip = new ByteArrayOutputStream();
		try (OutputStream out = new GZIPOutputStream(gzip)) {
			out.write(this.rootfs);
		}
		ByteArrayOutputStream zstd = new ByteArrayOutputStream();
		try (OutputStream out = new ZstdOutputStream(zstd)) {
			out.write(this.rootfs);
		}
		ImageRecord plain = importImage(this.rootfs, ImportOptions.defaults());
		ImageRecord fromGzip = importImage(gzip.toByteArray(), ImportOptions.defaults());
		ImageRecord fromZstd = importImage(zstd.toByteArray(), ImportOptions.defaults());
		assertThat(fromGzip.layers().get(0)).isEqualTo(plain.layers().get(0));
		assertThat(fromZstd.layers().get(0)).isEqualTo(plain.layers().get(0));
		// one layer blob for the three of them: the compression here depends on the content only
		assertThat(this.engine.content().list()).hasSize(4);
	}

	@Test
	void withoutOptionsTheImageIsUntaggedAndSaysWhereItCameFrom() throws IOException {
		ImageRecord record = importImage(this.rootfs, new ImportOptions("", "", List.of(), "", Platform.parse("linux/arm64")));
		assertThat(this.engine.images().repoTags(record)).isEmpty();
		assertThat(record.lastTagTime()).isNull();
		ImageConfig config = this.engine.images().config(record);
		assertThat(config.json().path("comment").asString()).isEqualTo("Imported from -");
		assertThat(config.architecture()).isEqualTo("arm64");
		ImageRecord latest = importImage(this.rootfs, new ImportOptions("localhost:5000/team/app", null, List.of(), null, null));
		assertThat(this.engine.images().repoTags(latest)).containsExactly("localhost:5000/team/app:latest");
	}

	@Test
	void anEmptyBodyIsAnEmptyLayerAsDockerMakesIt() throws IOException {
		ImageRecord record = importImage(new byte[0], ImportOptions.defaults());
		assertThat(record.layers().get(0).diffId()).isEqualTo(Digest.of(new byte[0]));
		assertThat(record.size()).isZero();
	}

	@Test
	void aTagTakenFromAnotherImageLeavesItDangling() throws IOException {
		ImageRecord first = importImage(this.rootfs, new ImportOptions("app", "1", List.of(), "first", null));
		ImageRecord second = importImage(this.rootfs, new ImportOptions("app", "1", List.of(), "second", null));
		assertThat(this.engine.images().resolve("app:1").id()).isEqualTo(second.id());
		assertThat(this.engine.images().list(Map.of("dangling", List.of("true")), false)).extracting(ImageRecord::id)
			.containsExactly(first.id());
	}

	@Test
	void whatIsNotATarOrNotAllowedIsRefusedAndNothingIsKept() throws IOException {
		assertThatThrownBy(() -> importImage("notatar\n".getBytes(), ImportOptions.defaults()))
			.isInstanceOf(InvalidImageException.class)
			.hasMessage("the layer is not a valid tar archive: unexpected EOF after 8 bytes");
		byte[] garbage = new byte[1024];
		Arrays.fill(garbage, (byte) 'x');
		assertThatThrownBy(() -> importImage(garbage, ImportOptions.defaults())).isInstanceOf(InvalidImageException.class)
			.hasMessageStartingWith("the layer is not a valid tar archive: ");
		byte[] brokenGzip = { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3 };
		assertThatThrownBy(() -> importImage(brokenGzip, ImportOptions.defaults())).isInstanceOf(InvalidImageException.class)
			.hasMessageStartingWith("the layer cannot be decompressed: ");
		InputStream neverRead = new InputStream() {
			@Override
			public int read() {
				throw new AssertionError("the body was read although the options are wrong");
			}
		};
		assertThatThrownBy(() -> this.engine.images()
			.importImage(neverRead, new ImportOptions("app", null, List.of("RUN rm -rf /"), null, null)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("run is not a valid change command");
		assertThatThrownBy(() -> this.engine.images()
			.importImage(neverRead, new ImportOptions("app@sha256:" + "a".repeat(64), null, List.of(), null, null)))
			.isInstanceOf(InvalidReferenceException.class)
			.hasMessage("cannot import digest reference");
		assertThatThrownBy(() -> this.engine.images()
			.importImage(neverRead, new ImportOptions(null, null, List.of(), null, Platform.parse("windows/amd64"))))
			.hasMessage("operating system is not supported: windows");
		this.engine.assertEmpty();
	}

}
