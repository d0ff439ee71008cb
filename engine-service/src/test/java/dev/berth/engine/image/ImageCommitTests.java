package dev.berth.engine.image;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.Digest;
import dev.berth.engine.testing.Fixtures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docker commit of a container of busybox: its writable layer (a tar with a whiteout, written by
 * hand as the node writes one) on top of busybox's layer, with the config dockerd makes.
 */
class ImageCommitTests {

	private static final String CONTAINER_ID = "c0ffee".repeat(10) + "abcd";

	@TempDir
	Path temp;

	private TestEngine engine;

	private ImageRecord busybox;

	private final List<String> events = new ArrayList<>();

	@BeforeEach
	void setUp() throws IOException {
		this.engine = TestEngine.open(this.temp.resolve("engine"),
				(action, actorId, attributes) -> this.events.add(action + " " + actorId + " " + attributes.get("name")));
		this.busybox = this.engine.load(TestArchives.tar(Fixtures.layout(Fixtures.BUSYBOX), this.temp.resolve("busybox.tar")))
			.images()
			.get(0);
		this.events.clear();
	}

	/** The container's Config as lifecycle-service keeps it: the image's, merged with what docker run gave. */
	private static ObjectNode containerConfig() {
		return (ObjectNode) TestArchives.JSON.readTree("""
				{"Hostname":"c0ffeec0ffee","Env":["PATH=/usr/bin:/bin","A=0","B=2"],"Cmd":["sh","-c","echo hi > /made"],
				 "Image":"busybox","Labels":{"from":"container"},"WorkingDir":"/srv","ExposedPorts":{"80/tcp":{}}}""");
	}

	/** A writable layer: a file added, a directory holding a whiteout for a file of the image. */
	private static byte[] layer() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
			TarArchiveEntry made = new TarArchiveEntry("made");
			byte[] content = "hi\n".getBytes(StandardCharsets.UTF_8);
			made.setSize(content.length);
			tar.putArchiveEntry(made);
			tar.write(content);
			tar.closeArchiveEntry();
			tar.putArchiveEntry(new TarArchiveEntry("bin/"));
			tar.closeArchiveEntry();
			tar.putArchiveEntry(new TarArchiveEntry("bin/.wh.ls"));
			tar.closeArchiveEntry();
		}
		return bytes.toByteArray();
	}

	private static byte[] emptyLayer() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		new TarArchiveOutputStream(bytes).close();
		return bytes.toByteArray();
	}

	private CommitOptions options(ObjectNode config, List<String> changes, String repository, String tag) {
		return new CommitOptions(this.busybox.id(), CONTAINER_ID, containerConfig(), config, changes, repository, tag, "msg",
				"me");
	}

	private ImageRecord commit(byte[] layer, CommitOptions options) throws IOException {
		return this.engine.images().commit(new ByteArrayInputStream(layer), options);
	}

	@Test
	void theLayerGoesOnTopOfTheParentsWithTheConfigDockerdWrites() throws IOException {
		byte[] layer = layer();
		ImageRecord record = commit(layer, options(null, List.of("CMD [\"cat\",\"/made\"]", "ENV X=1"), "repo/x", "1"));

		assertThat(record.parent()).isEqualTo(this.busybox.id());
		assertThat(record.layers()).hasSize(2);
		assertThat(record.layers().get(0)).isEqualTo(this.busybox.layers().get(0));
		ImageRecord.Layer added = record.layers().get(1);
		assertThat(added.diffId()).isEqualTo(Digest.of(layer));
		assertThat(added.unpackedSize()).isEqualTo(layer.length);
		try (InputStream in = new GZIPInputStream(this.engine.content().open(added.blob()))) {
			assertThat(in.readAllBytes()).isEqualTo(layer);
		}
		assertThat(this.engine.images().repoTags(record)).containsExactly("repo/x:1");
		assertThat(record.lastTagTime()).isEqualTo(record.created());

		JsonNode parent = this.engine.images().config(this.busybox).json();
		ImageConfig config = this.engine.images().config(record);
		JsonNode json = config.json();
		assertThat(record.id()).isEqualTo(Digest.of(this.engine.images().configBytes(record)));
		assertThat(config.diffIds()).containsExactly(this.busybox.layers().get(0).diffId(), Digest.of(layer));
		assertThat(config.created()).isEqualTo(record.created());
		assertThat(json.path("architecture")).isEqualTo(parent.path("architecture"));
		assertThat(json.path("os").asString()).isEqualTo("linux");
		assertThat(json.path("author").asString()).isEqualTo("me");
		assertThat(json.path("container").asString()).isEqualTo(CONTAINER_ID);
		assertThat(json.path("container_config")).isEqualTo(containerConfig());
		// the changes applied to the container's config; what they leave alone is the container's
		assertThat(json.path("config")).isEqualTo(TestArchives.JSON.readTree("""
				{"Hostname":"c0ffeec0ffee","Env":["PATH=/usr/bin:/bin","A=0","B=2","X=1"],"Cmd":["cat","/made"],
				 "Image":"busybox","Labels":{"from":"container"},"WorkingDir":"/srv","ExposedPorts":{"80/tcp":{}}}"""));
		// the keys in the order dockerd writes them
		assertThat(json.propertyNames()).containsExactly("architecture", "author", "config", "container", "container_config",
				"created", "history", "os", "rootfs");

		JsonNode history = json.path("history");
		assertThat(history).hasSize(parent.path("history").size() + 1);
		assertThat(history.get(0)).isEqualTo(parent.path("history").get(0));
		JsonNode step = history.get(history.size() - 1);
		assertThat(step).isEqualTo(TestArchives.JSON.readTree("{\"created\":\"" + record.created() + "\","
				+ "\"created_by\":\"sh -c echo hi > /made\",\"author\":\"me\",\"comment\":\"msg\"}"));

		List<HistoryItem> steps = this.engine.images().history("repo/x:1");
		assertThat(steps.get(0)).isEqualTo(new HistoryItem(record.id().toString(), record.created().getEpochSecond(),
				"sh -c echo hi > /made", List.of("repo/x:1"), layer.length, "msg"));
		// the step below is the parent's, named by its ID since the parent is known here
		assertThat(steps.get(1).id()).isEqualTo(this.busybox.id().toString());
	}

	@Test
	void aContainerThatChangedNothingAddsAnEmptyLayerStep() throws IOException {
		int blobs = this.engine.content().list().size();
		ImageRecord record = commit(emptyLayer(), options(null, List.of(), "", ""));
		assertThat(record.layers()).isEqualTo(this.busybox.layers());
		assertThat(this.engine.images().repoTags(record)).isEmpty();
		assertThat(record.lastTagTime()).isNull();
		JsonNode json = this.engine.images().config(record).json();
		JsonNode history = json.path("history");
		assertThat(history.get(history.size() - 1).path("empty_layer").asBoolean()).isTrue();
		assertThat(this.engine.images().config(record).diffIds()).containsExactly(this.busybox.layers().get(0).diffId());
		// the config is the one new blob: the empty layer was never committed
		assertThat(this.engine.content().list()).hasSize(blobs + 1);
		assertThat(this.engine.images().history(record.id().toString()).get(0).size()).isZero();
		assertThat(this.temp.resolve("engine/content/tmp")).isEmptyDirectory();
	}

	@Test
	void theRequestsConfigWinsAndTheContainersFillsWhatItLeavesUnset() throws IOException {
		ObjectNode request = (ObjectNode) TestArchives.JSON.readTree("""
				{"Env":["A=1"],"Labels":{"from":"request"},"ExposedPorts":{"8080/tcp":{}},"Tty":true}""");
		ImageRecord record = commit(layer(), options(request, List.of("ENV C=3"), "", ""));
		JsonNode config = this.engine.images().config(record).json().path("config");
		// dockerd: the changes see the request's environment only, then the container's variables it lacks follow
		assertThat(config.path("Env")).isEqualTo(TestArchives.JSON.readTree("[\"A=1\",\"C=3\",\"PATH=/usr/bin:/bin\",\"B=2\"]"));
		assertThat(config.path("Labels")).isEqualTo(TestArchives.JSON.readTree("{\"from\":\"request\"}"));
		assertThat(config.path("ExposedPorts")).isEqualTo(TestArchives.JSON.readTree("{\"8080/tcp\":{},\"80/tcp\":{}}"));
		assertThat(config.path("Cmd")).isEqualTo(containerConfig().path("Cmd"));
		assertThat(config.path("WorkingDir").asString()).isEqualTo("/srv");
		assertThat(config.path("Tty").asBoolean()).isTrue();
		// fields dockerd does not merge are the request's alone
		assertThat(config.has("Hostname")).isFalse();
		// the image still records the container as it ran
		assertThat(this.engine.images().config(record).json().path("container_config")).isEqualTo(containerConfig());
	}

	@Test
	void anEntrypointAloneReplacesTheContainersCommand() throws IOException {
		ImageRecord record = commit(layer(), options(null, List.of("ENTRYPOINT [\"top\"]"), "", ""));
		JsonNode config = this.engine.images().config(record).json().path("config");
		assertThat(config.path("Entrypoint")).isEqualTo(TestArchives.JSON.readTree("[\"top\"]"));
		assertThat(config.path("Cmd").isNull()).isTrue();
	}

	@Test
	void badChangesAndNamesFailBeforeTheLayerIsRead() throws IOException {
		InputStream unread = new InputStream() {
			@Override
			public int read() {
				throw new AssertionError("the layer was read");
			}
		};
		int blobs = this.engine.content().list().size();
		assertThatThrownBy(() -> this.engine.images().commit(unread, options(null, List.of("RUN rm -rf /"), "", "")))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("run is not a valid change command");
		assertThatThrownBy(() -> this.engine.images().commit(unread, options(null, List.of(), "Bad/Name", "")))
			.isInstanceOf(InvalidReferenceException.class);
		assertThatThrownBy(() -> this.engine.images()
			.commit(unread, options(null, List.of(), "app@sha256:" + "a".repeat(64), "")))
			.isInstanceOf(InvalidReferenceException.class)
			.hasMessage("cannot import digest reference");
		CommitOptions unknownParent = new CommitOptions(Digest.of(new byte[] { 1 }), CONTAINER_ID, containerConfig(), null,
				List.of(), "", "", "", "");
		assertThatThrownBy(() -> this.engine.images().commit(unread, unknownParent))
			.isInstanceOf(ImageNotFoundException.class);
		assertThat(this.engine.content().list()).hasSize(blobs);
		assertThat(this.engine.images().list(Map.of(), true)).containsExactly(this.busybox);
		assertThat(this.events).isEmpty();
	}

	@Test
	void aBodyThatIsNoTarLeavesNothing() throws IOException {
		int blobs = this.engine.content().list().size();
		byte[] notTar = "not a tar, not at all".repeat(100).getBytes(StandardCharsets.UTF_8);
		assertThatThrownBy(() -> commit(notTar, options(null, List.of(), "repo/x", "1")))
			.isInstanceOf(InvalidImageException.class);
		assertThat(this.engine.content().list()).hasSize(blobs);
		assertThat(this.temp.resolve("engine/content/tmp")).isEmptyDirectory();
		assertThat(this.engine.store().allTags()).doesNotContainKey("docker.io/repo/x:1");
	}

	@Test
	void dockerdsEventsTheImageCreatedThenItsTag() throws IOException {
		ImageRecord record = commit(layer(), options(null, List.of(), "repo/x", ""));
		String id = record.id().toString();
		assertThat(this.events).containsExactly("create " + id + " " + id, "tag " + id + " repo/x:latest");
	}

}
