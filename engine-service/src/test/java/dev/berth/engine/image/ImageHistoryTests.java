package dev.berth.engine.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.Digest;
import dev.berth.engine.testing.Fixtures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docker history of pulled images. dockerd 20.10 shows the busybox fixture, pulled the same way,
 * as two lines: the image ID with the tag and "registry-fixtures.sh: config", 0 bytes; then
 * {@code <missing>} with "registry-fixtures.sh: busybox_rootfs" and the layer's size.
 */
class ImageHistoryTests {

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

	@Test
	void aPulledImageShowsItsIdOnTheNewestStepAndMissingBelow() {
		TestEngine engine = registry.engine(this.temp.resolve("engine"));
		String reference = registry.host() + "/library/busybox:latest";
		ImageRecord busybox = registry.pull(engine, "library/busybox:latest");
		JsonNode steps = engine.images().config(busybox).json().path("history");
		assertThat(engine.images().history(reference)).containsExactly(
				new HistoryItem(busybox.id().toString(), created(steps.get(1)), "registry-fixtures.sh: config",
						List.of(reference), 0, ""),
				new HistoryItem(HistoryItem.MISSING, created(steps.get(0)), "registry-fixtures.sh: busybox_rootfs", List.of(),
						busybox.layers().get(0).unpackedSize(), ""));
	}

	@Test
	void eachStepThatMadeALayerGetsThatLayersSizeInOrder() {
		TestEngine engine = registry.engine(this.temp.resolve("engine"));
		ImageRecord layered = registry.pull(engine, "layered:latest");
		List<HistoryItem> history = engine.images().history(layered.id().shortId());
		assertThat(history).extracting(HistoryItem::createdBy)
			.containsExactly("registry-fixtures.sh: whiteouts", "registry-fixtures.sh: config",
					"registry-fixtures.sh: layered_lower");
		assertThat(history).extracting(HistoryItem::size)
			.containsExactly(layered.layers().get(1).unpackedSize(), 0L, layered.layers().get(0).unpackedSize());
		assertThat(history).extracting(HistoryItem::id)
			.containsExactly(layered.id().toString(), HistoryItem.MISSING, HistoryItem.MISSING);
		assertThat(history.get(0).tags()).containsExactly(registry.host() + "/layered:latest");
	}

	@Test
	void aHistoryWithMoreLayerStepsThanLayersIsAnError() throws IOException {
		Path layout = Fixtures.layout(Fixtures.BUSYBOX);
		ObjectNode config = (ObjectNode) TestArchives.blobJson(layout, TestArchives.imageId(layout).toString());
		ArrayNode history = (ArrayNode) config.get("history");
		history.addObject().put("created", Instant.EPOCH.toString()).put("created_by", "a layer that is not there");
		byte[] bytes = TestArchives.JSON.writeValueAsBytes(config);
		byte[] archive = new TestArchives.TarWriter()
			.file("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"odd:1\"],\"Layers\":[\"l.tar\"]}]")
			.file("c.json", bytes)
			.file("l.tar", TestArchives.unpacked(TestArchives.layerBlobs(layout).get(0)))
			.bytes();
		TestEngine engine = registry.engine(this.temp.resolve("engine"));
		engine.images().load(new ByteArrayInputStream(archive), null, (event) -> {
		});
		assertThat(engine.images().resolve("odd:1").id()).isEqualTo(Digest.of(bytes));
		assertThatThrownBy(() -> engine.images().history("odd:1")).isInstanceOf(InvalidImageException.class)
			.hasMessage("too many non-empty layers in History section");
		assertThatThrownBy(() -> engine.images().history("nothing:here")).isInstanceOf(ImageNotFoundException.class)
			.hasMessage("No such image: nothing:here");
	}

	private static long created(JsonNode step) {
		return Instant.parse(step.path("created").asString()).getEpochSecond();
	}

}
