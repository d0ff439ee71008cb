package dev.berth.engine.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.MediaTypes;
import dev.berth.engine.registry.Platform;
import dev.berth.engine.registry.ProgressEvent;
import dev.berth.engine.testing.Fixtures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docker save and docker load: round trips between engines of images pulled from a real
 * registry, OCI layouts built by umoci and skopeo, and Docker archives laid out by hand as
 * dockerd 20.10 writes them.
 */
class ImageArchiveTests {

	private static SourceRegistry registry;

	@TempDir
	Path temp;

	@BeforeAll
	static void startRegistry() {
		registry = SourceRegistry.start();
	}

	@AfterAll
	static void stopRegistry() {
		registry.close();
	}

	private TestEngine engine(String name) {
		return registry.engine(this.temp.resolve(name));
	}

	@Test
	void pulledImagesSavedAndLoadedIntoAFreshEngineKeepTheirIdsTagsAndLayers() throws IOException {
		TestEngine source = engine("source");
		ImageRecord busybox = registry.pull(source, "library/busybox:latest");
		ImageRecord layered = registry.pull(source, "layered:latest");
		source.images().tag(busybox.id().toString(), "mine:1");
		Path archive = source.save(this.temp.resolve("save.tar"), "mine", registry.host() + "/layered:latest",
				registry.host() + "/library/busybox");

		List<String> names = TestArchives.entryNames(archive);
		assertThat(names.subList(0, 4)).containsExactly("oci-layout", "index.json", "manifest.json", "repositories");
		assertThat(names).contains("blobs/sha256/" + busybox.id().hex(), "blobs/sha256/" + layered.id().hex(),
				"blobs/sha256/" + busybox.layers().get(0).diffId().hex());
		JsonNode manifest = TestArchives.JSON.readTree(TestArchives.entry(archive, "manifest.json"));
		assertThat(manifest).hasSize(2);
		assertThat(manifest.get(0).path("Config").asString()).isEqualTo("blobs/sha256/" + busybox.id().hex());
		assertThat(manifest.get(0).path("RepoTags").values()).extracting(JsonNode::asString)
			.containsExactly("mine:1", registry.host() + "/library/busybox:latest");
		// the layer in the archive is the uncompressed tar, named by its diff ID
		byte[] layer = TestArchives.entry(archive, "blobs/sha256/" + busybox.layers().get(0).diffId().hex());
		assertThat(Digest.of(layer)).isEqualTo(busybox.layers().get(0).diffId());
		JsonNode repositories = TestArchives.JSON.readTree(TestArchives.entry(archive, "repositories"));
		assertThat(repositories.path("mine").path("1").asString()).isEqualTo(busybox.layers().get(0).diffId().hex());

		TestEngine target = engine("target");
		LoadResult result = target.load(archive);
		assertThat(result.messages()).containsExactly("Loaded image: mine:1",
				"Loaded image: " + registry.host() + "/library/busybox:latest",
				"Loaded image: " + registry.host() + "/layered:latest");
		for (ImageRecord original : List.of(busybox, layered)) {
			ImageRecord loaded = target.images().resolve(original.id().toString());
			assertThat(loaded.layers()).extracting(ImageRecord.Layer::diffId)
				.containsExactlyElementsOf(original.layers().stream().map(ImageRecord.Layer::diffId).toList());
			assertThat(loaded.layers()).extracting(ImageRecord.Layer::unpackedSize)
				.containsExactlyElementsOf(original.layers().stream().map(ImageRecord.Layer::unpackedSize).toList());
			assertThat(loaded.chainIds()).isEqualTo(original.chainIds());
			assertThat(loaded.created()).isEqualTo(original.created());
			assertThat(target.images().configBytes(loaded)).isEqualTo(source.images().configBytes(original));
			for (ImageRecord.Layer loadedLayer : loaded.layers()) {
				// stored gzip-compressed, and unpacking to the diff ID
				assertThat(loadedLayer.mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER);
				try (InputStream in = new GZIPInputStream(target.content().open(loadedLayer.blob()))) {
					assertThat(LayerDiff.of(in).diffId()).isEqualTo(loadedLayer.diffId());
				}
			}
		}
		assertThat(target.images().repoTags(target.images().resolve(busybox.id().toString())))
			.containsExactlyInAnyOrder("mine:1", registry.host() + "/library/busybox:latest");
		assertThat(target.images().resolve("mine:1").id()).isEqualTo(busybox.id());
		assertThat(target.images().resolve(registry.host() + "/layered:latest").id()).isEqualTo(layered.id());
		assertThat(this.temp.resolve("target/content/tmp")).isEmptyDirectory();
	}

	@Test
	void anImageSavedByIdLoadsUntaggedAndTheSameArchiveLoadsTwice() throws IOException {
		TestEngine source = engine("source");
		ImageRecord busybox = source.load(TestArchives.tar(Fixtures.layout(Fixtures.BUSYBOX), this.temp.resolve("oci.tar")))
			.images()
			.get(0);
		Path archive = source.save(this.temp.resolve("by-id.tar"), busybox.id().shortId());
		JsonNode manifest = TestArchives.JSON.readTree(TestArchives.entry(archive, "manifest.json"));
		assertThat(manifest.get(0).path("RepoTags").isNull()).isTrue();
		assertThat(TestArchives.entryNames(archive)).doesNotContain("repositories");
		JsonNode index = TestArchives.JSON.readTree(TestArchives.entry(archive, "index.json"));
		assertThat(index.path("manifests").get(0).has("annotations")).isFalse();
		assertThat(index.path("manifests").get(0).path("platform").path("architecture").asString()).isEqualTo("amd64");

		TestEngine target = engine("target");
		assertThat(target.load(archive).messages()).containsExactly("Loaded image ID: " + busybox.id());
		long blobs = target.blobBytes();
		// a second load finds everything in place and stores nothing twice
		assertThat(target.load(archive).messages()).containsExactly("Loaded image ID: " + busybox.id());
		assertThat(target.blobBytes()).isEqualTo(blobs);
		assertThat(target.images().list(Map.of(), true)).hasSize(1);
	}

	@Test
	void aLayerSharedByTwoImagesIsSavedOnceAndBigImagesStream() throws IOException {
		TestEngine source = engine("source");
		ImageRecord busybox = source.load(TestArchives.tar(Fixtures.layout(Fixtures.BUSYBOX), this.temp.resolve("b.tar")))
			.images()
			.get(0);
		source.images().tag(busybox.id().toString(), "busybox:latest");
		ImageRecord big = source.load(TestArchives.tar(Fixtures.layout(Fixtures.BIG), this.temp.resolve("big-oci.tar")))
			.images()
			.get(0);
		source.images().tag(big.id().toString(), "big:latest");
		assertThat(big.layers().get(0).diffId()).isEqualTo(busybox.layers().get(0).diffId());

		long started = System.nanoTime();
		Path archive = source.save(this.temp.resolve("both.tar"), "busybox", "big");
		long saveNanos = System.nanoTime() - started;
		List<String> layerEntries = TestArchives.entryNames(archive).stream()
			.filter((name) -> name.equals("blobs/sha256/" + busybox.layers().get(0).diffId().hex())
					|| name.equals("blobs/sha256/" + big.layers().get(1).diffId().hex()))
			.toList();
		assertThat(layerEntries).hasSize(2).doesNotHaveDuplicates();
		JsonNode index = TestArchives.JSON.readTree(TestArchives.entry(archive, "index.json"));
		assertThat(index.path("manifests").values()).extracting((m) -> m.path("annotations").path("io.containerd.image.name").asString())
			.containsExactly("docker.io/library/busybox:latest", "docker.io/library/big:latest");

		TestEngine target = engine("target");
		started = System.nanoTime();
		target.load(archive);
		long loadNanos = System.nanoTime() - started;
		ImageRecord loadedBig = target.images().resolve("big:latest");
		assertThat(loadedBig.id()).isEqualTo(big.id());
		assertThat(target.images().resolve("busybox").layers().get(0).blob()).isEqualTo(loadedBig.layers().get(0).blob());
		// two configs and three layers stored once each: busybox's layer is big's first
		assertThat(target.content().list()).hasSize(4);

		double megabytes = Files.size(archive) / 1e6;
		System.out.printf("save of busybox+big: %.0f MB in %d ms (%.0f MB/s); load: %d ms (%.0f MB/s)%n", megabytes,
				saveNanos / 1_000_000, megabytes / (saveNanos / 1e9), loadNanos / 1_000_000, megabytes / (loadNanos / 1e9));
	}

	@Test
	void ociLayoutsLoadWithTheirLayersAsTheyCame() throws IOException {
		Path busyboxLayout = Fixtures.layout(Fixtures.BUSYBOX);
		Path zstdLayout = Fixtures.layout(Fixtures.BUSYBOX_ZSTD);
		TestEngine engine = engine("engine");
		List<ProgressEvent> progress = new ArrayList<>();
		LoadResult gzip = engine.load(TestArchives.tar(busyboxLayout, this.temp.resolve("busybox.tar")), null, progress);
		ImageRecord busybox = gzip.images().get(0);
		assertThat(busybox.id()).isEqualTo(TestArchives.imageId(busyboxLayout));
		// umoci names the image "latest" only: no repository, so no tag, as containerd loads it
		assertThat(gzip.messages()).containsExactly("Loaded image ID: " + busybox.id());
		assertThat(busybox.manifestMediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
		assertThat(busybox.layers().get(0).blob().toString())
			.isEqualTo(TestArchives.manifest(busyboxLayout).path("layers").get(0).path("digest").asString());
		assertThat(progress).anySatisfy((event) -> {
			assertThat(event.status()).isEqualTo("Loading layer");
			assertThat(event.id()).isEqualTo(busybox.layers().get(0).diffId().shortId());
			assertThat(event.current()).isEqualTo(event.total()).isEqualTo(busybox.layers().get(0).size());
		});

		// the same config makes the same image: remove it so the zstd load records its own layer
		engine.images().remove(busybox.id().toString(), true, ImageUsers.NONE);
		ImageRecord zstd = engine.load(TestArchives.tar(zstdLayout, this.temp.resolve("zstd.tar"))).images().get(0);
		assertThat(zstd.id()).isEqualTo(busybox.id());
		assertThat(zstd.layers().get(0).mediaType()).isEqualTo(MediaTypes.OCI_LAYER_ZSTD);
		assertThat(zstd.layers().get(0).blob().toString())
			.isEqualTo(TestArchives.manifest(zstdLayout).path("layers").get(0).path("digest").asString());
		assertThat(zstd.layers().get(0).diffId()).isEqualTo(busybox.layers().get(0).diffId());
		assertThat(zstd.layers().get(0).unpackedSize()).isEqualTo(busybox.layers().get(0).unpackedSize());
	}

	@Test
	void fromAnOciIndexTheImageForThePlatformIsLoaded() throws IOException {
		Path archive = TestArchives.tar(Fixtures.layout(Fixtures.MULTIARCH), this.temp.resolve("multiarch.tar"));
		TestEngine host = engine("host");
		ImageRecord amd64 = host.load(archive).images().get(0);
		assertThat(label(host, amd64)).isEqualTo(Platform.host().architecture());
		TestEngine arm = engine("arm");
		ImageRecord arm64 = arm.load(archive, Platform.parse("linux/arm64"), new ArrayList<>()).images().get(0);
		assertThat(label(arm, arm64)).isEqualTo("arm64");
		assertThat(arm.images().list(Map.of(), true)).hasSize(1);
		TestEngine none = engine("none");
		assertThatThrownBy(() -> none.load(archive, Platform.parse("linux/s390x"), new ArrayList<>()))
			.isInstanceOf(InvalidImageException.class)
			.hasMessage("invalid archive: no image for linux/s390x in it");
		none.assertEmpty();
	}

	private static String label(TestEngine engine, ImageRecord record) {
		return engine.images().config(record).json().path("config").path("Labels").path(Fixtures.PLATFORM_LABEL).asString();
	}

	@Test
	void skopeosOciArchiveLoadsWithTheNameItWasGiven() throws IOException {
		Path archive = this.temp.resolve("skopeo.tar");
		TestArchives.run(List.of("skopeo", "--insecure-policy", "copy", "-q", "oci:" + Fixtures.layout(Fixtures.LAYERED) + ":latest",
				"oci-archive:" + archive + ":example.com/team/layered:v2"));
		TestEngine engine = engine("engine");
		LoadResult result = engine.load(archive);
		assertThat(result.messages()).containsExactly("Loaded image: example.com/team/layered:v2");
		assertThat(result.images().get(0).layers()).hasSize(2);
		assertThat(engine.images().resolve("example.com/team/layered:v2").id())
			.isEqualTo(TestArchives.imageId(Fixtures.layout(Fixtures.LAYERED)));
	}

	/**
	 * busybox and big as dockerd 20.10's docker save lays them out: a directory per layer with
	 * VERSION, json and layer.tar, {@code <config hex>.json}, manifest.json and repositories. big's
	 * first layer is busybox's, at another depth, so it is a symbolic link to busybox's layer.tar,
	 * exactly as dockerd 20.10 writes it. Tarred by GNU tar.
	 */
	private Path dockerArchive() throws IOException {
		Path root = Files.createDirectories(this.temp.resolve("docker-archive"));
		Path busybox = Fixtures.layout(Fixtures.BUSYBOX);
		Path big = Fixtures.layout(Fixtures.BIG);
		String base = Digest.of("busybox base".getBytes(StandardCharsets.UTF_8)).hex();
		String baseInBig = Digest.of("big base".getBytes(StandardCharsets.UTF_8)).hex();
		String top = Digest.of("big top".getBytes(StandardCharsets.UTF_8)).hex();
		layerDirectory(root, base, TestArchives.unpacked(TestArchives.layerBlobs(busybox).get(0)));
		layerDirectory(root, top, TestArchives.unpacked(TestArchives.layerBlobs(big).get(1)));
		Files.createDirectories(root.resolve(baseInBig));
		Files.writeString(root.resolve(baseInBig).resolve("VERSION"), "1.0");
		Files.writeString(root.resolve(baseInBig).resolve("json"), "{\"id\":\"" + baseInBig + "\"}");
		Files.createSymbolicLink(root.resolve(baseInBig).resolve("layer.tar"), Path.of("../" + base + "/layer.tar"));
		ArrayNode manifest = TestArchives.JSON.createArrayNode();
		ObjectNode repositories = TestArchives.JSON.createObjectNode();
		for (Path layout : List.of(busybox, big)) {
			Digest config = TestArchives.imageId(layout);
			Files.copy(TestArchives.blob(layout, config.toString()), root.resolve(config.hex() + ".json"));
			String name = layout.getFileName().toString();
			ObjectNode item = manifest.addObject();
			item.put("Config", config.hex() + ".json");
			item.putArray("RepoTags").add(name + ":latest");
			ArrayNode layers = item.putArray("Layers");
			if (layout == busybox) {
				layers.add(base + "/layer.tar");
				repositories.putObject(name).put("latest", base);
			}
			else {
				layers.add(baseInBig + "/layer.tar").add(top + "/layer.tar");
				repositories.putObject(name).put("latest", top);
			}
		}
		Files.write(root.resolve("manifest.json"), TestArchives.JSON.writeValueAsBytes(manifest));
		Files.write(root.resolve("repositories"), TestArchives.JSON.writeValueAsBytes(repositories));
		return TestArchives.tar(root, this.temp.resolve("docker-archive.tar"));
	}

	private static void layerDirectory(Path root, String id, byte[] tar) throws IOException {
		Path directory = Files.createDirectories(root.resolve(id));
		Files.writeString(directory.resolve("VERSION"), "1.0");
		Files.writeString(directory.resolve("json"), "{\"id\":\"" + id + "\"}");
		Files.write(directory.resolve("layer.tar"), tar);
	}

	@Test
	void aDockerArchiveLaidOutAsDockerd2010WritesItLoads() throws IOException {
		Path archive = dockerArchive();
		TestEngine engine = engine("engine");
		LoadResult result = engine.load(archive);
		assertThat(result.messages()).containsExactly("Loaded image: busybox:latest", "Loaded image: big:latest");
		ImageRecord busybox = engine.images().resolve("busybox:latest");
		ImageRecord big = engine.images().resolve("big:latest");
		assertThat(busybox.id()).isEqualTo(TestArchives.imageId(Fixtures.layout(Fixtures.BUSYBOX)));
		assertThat(big.id()).isEqualTo(TestArchives.imageId(Fixtures.layout(Fixtures.BIG)));
		assertThat(busybox.manifestMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
		assertThat(busybox.layers().get(0).mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER);
		// the layer reached through the link is the same layer, stored once
		assertThat(big.layers().get(0)).isEqualTo(busybox.layers().get(0));
		assertThat(engine.content().list()).hasSize(4);
		assertThat(engine.images().config(big).diffIds()).isEqualTo(big.layers().stream().map(ImageRecord.Layer::diffId).toList());
	}

	@Test
	void aTagLoadedOntoAnotherImageLeavesTheOldOneDangling() throws IOException {
		TestEngine engine = engine("engine");
		ImageRecord busybox = engine.load(TestArchives.tar(Fixtures.layout(Fixtures.BUSYBOX), this.temp.resolve("b.tar")))
			.images()
			.get(0);
		engine.images().tag(busybox.id().toString(), "app:1");
		Path layered = new TestArchives.TarWriter()
			.file("manifest.json", "[{\"Config\":\"config.json\",\"RepoTags\":[\"app:1\"],\"Layers\":[\"a.tar\",\"b.tar\"]}]")
			.file("config.json", Files.readAllBytes(TestArchives.blob(Fixtures.layout(Fixtures.LAYERED),
					TestArchives.imageId(Fixtures.layout(Fixtures.LAYERED)).toString())))
			.file("a.tar", TestArchives.unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.LAYERED)).get(0)))
			.file("b.tar", TestArchives.unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.LAYERED)).get(1)))
			.write(this.temp.resolve("layered.tar"));
		LoadResult result = engine.load(layered);
		assertThat(result.messages()).containsExactly(
				"The image app:1 already exists, renaming the old one with ID " + busybox.id() + " to empty string",
				"Loaded image: app:1");
		assertThat(engine.images().resolve("app:1").id()).isEqualTo(result.images().get(0).id());
		assertThat(engine.images().list(Map.of("dangling", List.of("true")), false)).extracting(ImageRecord::id)
			.containsExactly(busybox.id());
	}

	@Test
	void aParentLoadedWithItsChildIsLinked() throws IOException {
		Path busyboxLayout = Fixtures.layout(Fixtures.BUSYBOX);
		Path bigLayout = Fixtures.layout(Fixtures.BIG);
		Digest parent = TestArchives.imageId(busyboxLayout);
		Digest child = TestArchives.imageId(bigLayout);
		byte[] base = TestArchives.unpacked(TestArchives.layerBlobs(busyboxLayout).get(0));
		// big's history is busybox's plus one step: a valid parent, as Docker checks it
		Path archive = new TestArchives.TarWriter()
			.file("manifest.json", "[{\"Config\":\"p.json\",\"RepoTags\":null,\"Layers\":[\"0/layer.tar\"]},"
					+ "{\"Config\":\"c.json\",\"RepoTags\":[\"child:1\"],\"Layers\":[\"0/layer.tar\",\"1/layer.tar\"],\"Parent\":\""
					+ parent + "\"}]")
			.file("p.json", Files.readAllBytes(TestArchives.blob(busyboxLayout, parent.toString())))
			.file("c.json", Files.readAllBytes(TestArchives.blob(bigLayout, child.toString())))
			.file("0/layer.tar", base)
			.file("1/layer.tar", TestArchives.unpacked(TestArchives.layerBlobs(bigLayout).get(1)))
			.write(this.temp.resolve("parent.tar"));
		TestEngine engine = engine("engine");
		engine.load(archive);
		assertThat(engine.images().resolve("child:1").parent()).isEqualTo(parent);
		List<HistoryItem> history = engine.images().history("child:1");
		assertThat(history.get(0).id()).isEqualTo(child.toString());
		assertThat(history.get(0).tags()).containsExactly("child:1");
		assertThat(history.get(1).id()).isEqualTo(parent.toString());
		assertThat(history.get(2).id()).isEqualTo(HistoryItem.MISSING);
		// the parent is untagged but has a child: a plain docker images leaves it out, -a shows it
		assertThat(engine.images().list(Map.of(), false)).extracting(ImageRecord::id).containsExactly(child);
		// saved again, the link travels with the pair
		Path again = engine.save(this.temp.resolve("again.tar"), "child:1", parent.toString());
		JsonNode manifest = TestArchives.JSON.readTree(TestArchives.entry(again, "manifest.json"));
		assertThat(manifest.get(0).path("Parent").asString()).isEqualTo(parent.toString());
		assertThat(manifest.get(1).has("Parent")).isFalse();
	}

	@Test
	void aGzippedArchiveLoadsToo() throws IOException {
		Path archive = TestArchives.tar(Fixtures.layout(Fixtures.BUSYBOX), this.temp.resolve("busybox.tar"));
		TestArchives.run(List.of("gzip", "-k", archive.toString()));
		TestEngine engine = engine("engine");
		ImageRecord record = engine.load(this.temp.resolve("busybox.tar.gz")).images().get(0);
		assertThat(record.id()).isEqualTo(TestArchives.imageId(Fixtures.layout(Fixtures.BUSYBOX)));
	}

	@Test
	void emptyAndNonArchiveInputsAreRefused() throws IOException {
		TestEngine engine = engine("engine");
		assertThatThrownBy(() -> engine.images().load(new ByteArrayInputStream(new byte[0]), null, (e) -> {
			}))
			.isInstanceOf(InvalidImageException.class)
			.hasMessage("invalid archive: it has neither manifest.json (docker save) nor index.json (an OCI image layout)");
		assertThatThrownBy(() -> engine.images()
				.load(new ByteArrayInputStream("this is not a tar archive, not at all".repeat(20).getBytes()), null, (e) -> {
				}))
			.isInstanceOf(InvalidImageException.class)
			.hasMessageStartingWith("invalid archive: ");
		engine.assertEmpty();
	}

}
