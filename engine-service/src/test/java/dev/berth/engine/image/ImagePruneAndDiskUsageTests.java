package dev.berth.engine.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.Digest;
import dev.berth.engine.testing.Fixtures;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docker image prune and the images part of docker system df, on four images loaded from the
 * fixture layouts: busybox (tagged), big (busybox's layer plus one, dangling), layered (tagged)
 * and multiarch's amd64 image (busybox's layer under another config, dangling). Every expected
 * number is computed here from the fixture files, not asked of the engine.
 */
class ImagePruneAndDiskUsageTests {

	@TempDir
	Path temp;

	private TestEngine engine;

	private ImageRecord busybox;

	private ImageRecord big;

	private ImageRecord layered;

	private ImageRecord multiarch;

	@BeforeEach
	void fourImages() throws IOException {
		this.engine = TestEngine.open(this.temp.resolve("engine"));
		this.busybox = load(Fixtures.BUSYBOX);
		this.big = load(Fixtures.BIG);
		this.layered = load(Fixtures.LAYERED);
		this.multiarch = load(Fixtures.MULTIARCH);
		this.engine.images().tag(this.busybox.id().toString(), "busybox:latest");
		this.engine.images().tag(this.layered.id().toString(), "layered:latest");
	}

	private ImageRecord load(String fixture) throws IOException {
		return this.engine.load(TestArchives.tar(Fixtures.layout(fixture), this.temp.resolve(fixture + ".tar"))).images().get(0);
	}

	/** The size of each distinct fixture blob an image consists of: its config and layer blobs. */
	private static Map<Digest, Long> fixtureBlobs(String fixture, Digest config) throws IOException {
		Path layout = Fixtures.layout(fixture);
		Map<Digest, Long> blobs = new HashMap<>();
		blobs.put(config, Files.size(TestArchives.blob(layout, config.toString())));
		JsonNode manifest = manifestOf(layout, config);
		for (JsonNode layer : manifest.path("layers").values()) {
			blobs.put(Digest.parse(layer.path("digest").asString()), layer.path("size").asLong());
		}
		return blobs;
	}

	/** The manifest in a layout whose config is {@code config}, looking through nested indexes. */
	private static JsonNode manifestOf(Path layout, Digest config) throws IOException {
		List<JsonNode> pending = new ArrayList<>();
		TestArchives.JSON.readTree(Files.readAllBytes(layout.resolve("index.json"))).path("manifests").values()
			.forEach(pending::add);
		while (!pending.isEmpty()) {
			JsonNode document = TestArchives.blobJson(layout, pending.removeFirst().path("digest").asString());
			if (document.has("manifests")) {
				document.path("manifests").values().forEach(pending::add);
			}
			else if (document.path("config").path("digest").asString().equals(config.toString())) {
				return document;
			}
		}
		throw new IllegalStateException("no manifest for " + config + " in " + layout);
	}

	private static long unpacked(Path blob) throws IOException {
		return TestArchives.unpacked(blob).length;
	}

	@Test
	void danglingImagesGoUnlessAContainerUsesThem() throws IOException {
		ImageUsers users = (id) -> id.equals(this.multiarch.id()) ? List.of(new ImageUsers.User("c0ffee", false)) : List.of();
		long before = this.engine.blobBytes();
		PruneReport report = this.engine.images().prune(Map.of(), users);
		// big goes; its first layer is busybox's and stays, so only its config and top layer are reclaimed
		Map<Digest, Long> bigBlobs = fixtureBlobs(Fixtures.BIG, this.big.id());
		long expected = bigBlobs.get(this.big.id()) + bigBlobs.get(this.big.layers().get(1).blob());
		assertThat(report.spaceReclaimed()).isEqualTo(expected).isEqualTo(before - this.engine.blobBytes());
		assertThat(report.deleted()).containsExactly(ImageDeleteItem.deleted(this.big.id().toString()),
				ImageDeleteItem.deletedLayer(this.big.chainIds().get(1).toString()));
		assertThat(this.engine.images().list(Map.of(), true)).extracting(ImageRecord::id)
			.containsExactlyInAnyOrder(this.busybox.id(), this.layered.id(), this.multiarch.id());
		// nothing dangling is left but what the container uses
		assertThat(this.engine.images().prune(Map.of("dangling", List.of("true")), users).deleted()).isEmpty();
	}

	@Test
	void withDanglingFalseEveryUnusedImageGoesTaggedOrNot() throws IOException {
		ImageUsers users = (id) -> id.equals(this.busybox.id()) ? List.of(new ImageUsers.User("feed", true)) : List.of();
		PruneReport report = this.engine.images().prune(Map.of("dangling", List.of("false")), users);
		assertThat(report.deleted()).contains(ImageDeleteItem.untagged("layered:latest"),
				ImageDeleteItem.deleted(this.layered.id().toString()), ImageDeleteItem.deleted(this.big.id().toString()),
				ImageDeleteItem.deleted(this.multiarch.id().toString()));
		assertThat(this.engine.images().list(Map.of(), true)).extracting(ImageRecord::id).containsExactly(this.busybox.id());
		// what is left is busybox's config and layer, nothing else
		Map<Digest, Long> kept = fixtureBlobs(Fixtures.BUSYBOX, this.busybox.id());
		assertThat(this.engine.content().list()).containsExactlyInAnyOrderElementsOf(kept.keySet());
		Set<Digest> gone = new HashSet<>();
		for (var fixture : Map.of(Fixtures.BIG, this.big.id(), Fixtures.LAYERED, this.layered.id(), Fixtures.MULTIARCH,
				this.multiarch.id()).entrySet()) {
			gone.addAll(fixtureBlobs(fixture.getKey(), fixture.getValue()).keySet());
		}
		gone.removeAll(kept.keySet());
		long expected = 0;
		for (Digest digest : gone) {
			expected += sizeInAnyFixture(digest);
		}
		assertThat(report.spaceReclaimed()).isEqualTo(expected);
	}

	private static long sizeInAnyFixture(Digest digest) throws IOException {
		for (String fixture : Fixtures.ALL) {
			Path blob = TestArchives.blob(Fixtures.layout(fixture), digest.toString());
			if (Files.exists(blob)) {
				return Files.size(blob);
			}
		}
		throw new IllegalStateException("no fixture holds " + digest);
	}

	@Test
	void untilAndLabelFiltersNarrowThePrune() {
		// the fixtures were made moments apart, whenever they were built: a day before busybox is before them all
		String dayBefore = this.busybox.created().minus(Duration.ofDays(1)).toString();
		Map<String, List<String>> old = Map.of("dangling", List.of("false"), "until", List.of(dayBefore));
		assertThat(this.engine.images().prune(old, ImageUsers.NONE).deleted()).isEmpty();
		Map<String, List<String>> labelled = Map.of("dangling", List.of("false"), "label",
				List.of("dev.berth.fixture=layered"));
		assertThat(this.engine.images().prune(labelled, ImageUsers.NONE).deleted()).containsExactly(
				ImageDeleteItem.untagged("layered:latest"), ImageDeleteItem.deleted(this.layered.id().toString()),
				ImageDeleteItem.deletedLayer(this.layered.chainIds().get(1).toString()),
				ImageDeleteItem.deletedLayer(this.layered.chainIds().get(0).toString()));
		// big is busybox plus a layer, labels included: label! keeps both
		Map<String, List<String>> allBut = Map.of("dangling", List.of("false"), "label!", List.of("dev.berth.fixture=busybox"),
				"until", List.of("0s"));
		this.engine.images().prune(allBut, ImageUsers.NONE);
		assertThat(this.engine.images().list(Map.of(), true)).extracting(ImageRecord::id)
			.containsExactlyInAnyOrder(this.busybox.id(), this.big.id());
	}

	@Test
	void badFiltersAreRefused() {
		assertThatThrownBy(() -> this.engine.images().prune(Map.of("colour", List.of("blue")), ImageUsers.NONE))
			.hasMessage("invalid filter 'colour'");
		assertThatThrownBy(() -> this.engine.images().prune(Map.of("dangling", List.of("maybe")), ImageUsers.NONE))
			.hasMessage("invalid filter 'dangling=maybe'");
		assertThatThrownBy(() -> this.engine.images().prune(Map.of("until", List.of("yesterday")), ImageUsers.NONE))
			.hasMessage("failed to parse value as time or duration: \"yesterday\"");
		assertThatThrownBy(() -> this.engine.images().prune(Map.of("until", List.of("1h", "2h")), ImageUsers.NONE))
			.hasMessage("more than one until filter specified");
		assertThat(this.engine.images().list(Map.of(), true)).hasSize(4);
	}

	@Test
	void diskUsageCountsEachLayerStackOnce() throws IOException {
		long base = unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.BUSYBOX)).get(0));
		long bigTop = unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.BIG)).get(1));
		List<Path> layeredBlobs = TestArchives.layerBlobs(Fixtures.layout(Fixtures.LAYERED));
		long lower = unpacked(layeredBlobs.get(0));
		long upper = unpacked(layeredBlobs.get(1));
		ImageUsers users = (id) -> id.equals(this.busybox.id())
				? List.of(new ImageUsers.User("a", true), new ImageUsers.User("b", false)) : List.of();

		DiskUsage usage = this.engine.images().diskUsage(users);
		Map<Digest, DiskUsage.ImageUsage> byId = new HashMap<>();
		usage.images().forEach((image) -> byId.put(image.record().id(), image));
		// busybox's layer is the bottom of busybox, big and multiarch's amd64 image: shared by all three
		assertThat(byId.get(this.busybox.id())).extracting(DiskUsage.ImageUsage::size, DiskUsage.ImageUsage::sharedSize,
				DiskUsage.ImageUsage::containers).containsExactly(base, base, 2);
		assertThat(byId.get(this.big.id())).extracting(DiskUsage.ImageUsage::size, DiskUsage.ImageUsage::sharedSize,
				DiskUsage.ImageUsage::containers).containsExactly(base + bigTop, base, 0);
		assertThat(byId.get(this.multiarch.id())).extracting(DiskUsage.ImageUsage::size, DiskUsage.ImageUsage::sharedSize)
			.containsExactly(base, base);
		assertThat(byId.get(this.layered.id())).extracting(DiskUsage.ImageUsage::size, DiskUsage.ImageUsage::sharedSize)
			.containsExactly(lower + upper, 0L);
		assertThat(usage.layersSize()).isEqualTo(base + bigTop + lower + upper);

		Set<Digest> blobs = new HashSet<>();
		for (var fixture : Map.of(Fixtures.BUSYBOX, this.busybox.id(), Fixtures.BIG, this.big.id(), Fixtures.LAYERED,
				this.layered.id(), Fixtures.MULTIARCH, this.multiarch.id()).entrySet()) {
			blobs.addAll(fixtureBlobs(fixture.getKey(), fixture.getValue()).keySet());
		}
		long content = 0;
		for (Digest blob : blobs) {
			content += sizeInAnyFixture(blob);
		}
		assertThat(usage.contentSize()).isEqualTo(content).isEqualTo(this.engine.blobBytes());
	}

}
