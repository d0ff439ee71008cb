package dev.berth.engine.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.testing.Fixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The image events the engine reports for docker events, each with dockerd's actor and attributes: the image ID
 * as actor and name for load, save, import and untag (labels while the image exists), the new reference as the
 * name of a tag, no labels after a delete, and the reclaimed bytes of a prune; nothing for a refused removal.
 */
class ImageEventsTests {

	@TempDir
	Path temp;

	private final List<Reported> events = new ArrayList<>();

	private TestEngine engine;

	private ImageRecord busybox;

	private String id;

	record Reported(String action, String actorId, Map<String, String> attributes) {
	}

	@BeforeEach
	void busyboxLoaded() throws IOException {
		this.engine = TestEngine.open(this.temp.resolve("engine"),
				(action, actorId, attributes) -> this.events.add(new Reported(action, actorId, Map.copyOf(attributes))));
		this.busybox = this.engine.load(TestArchives.tar(Fixtures.layout(Fixtures.BUSYBOX), this.temp.resolve("b.tar")))
			.images()
			.get(0);
		this.id = this.busybox.id().toString();
	}

	private Map<String, String> labelsAnd(String name) {
		return Map.of("dev.berth.fixture", "busybox", "org.opencontainers.image.title", "busybox", "name", name);
	}

	@Test
	void loadTagUntagAndDeleteAsDockerdReportsThem() {
		this.engine.images().tag(this.id, "busybox:1");
		this.engine.images().tag(this.id, "localhost:5000/other:2");
		this.events.clear();
		this.engine.images().remove("busybox:1", false, ImageUsers.NONE);
		assertThat(this.events).containsExactly(new Reported("untag", this.id, labelsAnd(this.id)));
		this.events.clear();
		List<ImageDeleteItem> removed = this.engine.images().remove(this.id, true, ImageUsers.NONE);
		assertThat(this.events).containsExactly(new Reported("untag", this.id, labelsAnd(this.id)),
				new Reported("delete", this.id, Map.of("name", this.id)));
		// the layer comes out marked as one, for the nodes to free
		assertThat(removed).filteredOn(ImageDeleteItem::layer)
			.extracting(ImageDeleteItem::deleted)
			.containsExactly(this.busybox.chainIds().get(0).toString());
	}

	@Test
	void aRefusedRemovalChangesAndReportsNothing() {
		this.engine.images().tag(this.id, "busybox:1");
		this.events.clear();
		ImageUsers running = (image) -> List.of(new ImageUsers.User("c0ffee0123456789", true));
		assertThatThrownBy(() -> this.engine.images().remove(this.id, true, running))
			.isInstanceOf(ImageConflictException.class)
			.hasMessageContaining("(cannot be forced) - image is being used by running container c0ffee012345");
		ImageUsers stopped = (image) -> List.of(new ImageUsers.User("c0ffee0123456789", false));
		assertThatThrownBy(() -> this.engine.images().remove(this.id, false, stopped))
			.hasMessageContaining("(must be forced) - image is being used by stopped container c0ffee012345");
		assertThat(this.engine.images().repoTags(this.busybox)).containsExactly("busybox:1");
		assertThat(this.events).isEmpty();
	}

	@Test
	void loadAndTagNameTheImageAndTheNewReference() throws IOException {
		assertThat(this.events).containsExactly(new Reported("load", this.id, labelsAnd(this.id)));
		this.events.clear();
		this.engine.images().tag(this.id, "docker.io/library/busybox:1");
		assertThat(this.events).containsExactly(new Reported("tag", this.id, labelsAnd("busybox:1")));
	}

	@Test
	void importNamesTheNewImageByItsId() throws IOException {
		byte[] rootfs = TestArchives.unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.BUSYBOX)).get(0));
		this.events.clear();
		ImageRecord imported = this.engine.images()
			.importImage(new ByteArrayInputStream(rootfs), new ImportOptions("imported", "1", List.of(), "", null));
		String importedId = imported.id().toString();
		assertThat(this.events).containsExactly(new Reported("import", importedId, Map.of("name", importedId)));
	}

	@Test
	void saveIsReportedOnceTheArchiveIsWritten() throws IOException {
		this.events.clear();
		this.engine.save(this.temp.resolve("saved.tar"), this.id);
		assertThat(this.events).containsExactly(new Reported("save", this.id, labelsAnd(this.id)));
	}

	@Test
	void pruneReportsEachDeleteThenWhatItReclaimed() {
		this.events.clear();
		PruneReport report = this.engine.images().prune(Map.of(), ImageUsers.NONE);
		assertThat(report.spaceReclaimed()).isPositive();
		assertThat(this.events).containsExactly(new Reported("delete", this.id, Map.of("name", this.id)),
				new Reported("prune", "", Map.of("reclaimed", Long.toString(report.spaceReclaimed()))));
	}

}
