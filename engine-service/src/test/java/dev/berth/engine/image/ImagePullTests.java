package dev.berth.engine.image;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.Platform;
import dev.berth.engine.registry.ProgressEvent;
import dev.berth.engine.registry.Registries;
import dev.berth.engine.registry.RegistryCredentials;
import dev.berth.engine.registry.RegistryException;
import dev.berth.engine.registry.RegistryHosts;
import dev.berth.engine.testing.Fixtures;
import dev.berth.engine.testing.RecordingProxy;
import dev.berth.engine.testing.TestRegistry;

import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pulls from a real Distribution registry (no auth) through a recording proxy, with fixture
 * images pushed by skopeo; the records, tags and blobs that result are checked against what the
 * registry holds.
 */
class ImagePullTests {

	private static final Platform AMD64 = Platform.parse("linux/amd64");

	private static TestRegistry registry;

	private static RecordingProxy proxy;

	/** One client for all tests: it remembers that the proxy speaks plain HTTP. */
	private static Registries registries;

	@TempDir
	Path dataRoot;

	private ContentStore content;

	private ImageService images;

	private final List<ProgressEvent> progress = new ArrayList<>();

	@BeforeAll
	static void startRegistry() {
		registry = TestRegistry.start(TestRegistry.Auth.NONE);
		registry.push(Fixtures.BUSYBOX, "library/busybox:latest", TestRegistry.Format.DOCKER_SCHEMA2);
		registry.push(Fixtures.BUSYBOX, "oci/busybox:latest", TestRegistry.Format.OCI);
		registry.push(Fixtures.BUSYBOX_ZSTD, "oci/busybox:zstd", TestRegistry.Format.OCI);
		registry.push(Fixtures.LAYERED, "layered:latest", TestRegistry.Format.DOCKER_SCHEMA2);
		registry.push(Fixtures.MULTIARCH, "multiarch:latest", TestRegistry.Format.OCI);
		registry.push(Fixtures.BIG, "big:latest", TestRegistry.Format.DOCKER_SCHEMA2);
		proxy = RecordingProxy.start(registry.uri());
		registries = new Registries(new RegistryHosts(List.of(), List.of()), 3);
	}

	@AfterAll
	static void stopRegistry() {
		registries.close();
		proxy.close();
		registry.close();
	}

	@BeforeEach
	void newEngine() {
		proxy.clear();
		open(registries);
	}

	private void open(Registries client) {
		this.content = new ContentStore(this.dataRoot.resolve("content"));
		this.images = new ImageService(new ImageStore(this.dataRoot.resolve("image")), this.content, client,
				Clock.systemUTC());
	}

	private ImageRecord pull(String reference) {
		return pull(reference, AMD64);
	}

	private ImageRecord pull(String reference, Platform platform) {
		this.progress.clear();
		return this.images.pull(ImageReference.parse(reference), platform, RegistryCredentials.ANONYMOUS,
				this.progress::add);
	}

	@Test
	void schema2ImageIsPulledVerifiedRecordedAndTagged() throws Exception {
		String reference = proxy.host() + "/library/busybox:latest";
		ImageRecord record = pull(reference);
		String configDigest = JsonMapper.builder().build()
			.readTree(registry.manifest("library/busybox:latest"))
			.path("config").path("digest").asString();
		assertThat(record.id()).hasToString(configDigest);
		assertThat(record.manifestMediaType()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
		assertThat(record.layers()).singleElement().satisfies((layer) -> {
			assertThat(this.content.has(layer.blob())).isTrue();
			assertThat(layer.unpackedSize()).isGreaterThan(layer.size());
		});
		assertThat(this.images.repoTags(record)).containsExactly(reference);
		assertThat(this.images.repoDigests(record))
			.containsExactly(proxy.host() + "/library/busybox@" + registry.manifestDigest("library/busybox:latest"));
		assertThat(statuses()).contains("Pulling from library/busybox", "Pulling fs layer",
				"Download complete", "Pull complete", "Digest: " + registry.manifestDigest("library/busybox:latest"),
				"Status: Downloaded newer image for " + reference);
		assertThat(this.progress).anySatisfy((event) -> {
			assertThat(event.status()).isEqualTo("Downloading");
			assertThat(event.total()).isEqualTo(record.layers().get(0).size());
		});
		assertThat(this.images.config(record).json().path("config").path("Cmd").get(0).asString()).isEqualTo("sh");
		assertThat(this.dataRoot.resolve("content/ingest")).isEmptyDirectory();
	}

	@Test
	void aSecondPullTransfersNoBlobAndSaysUpToDate() {
		String reference = proxy.host() + "/library/busybox:latest";
		pull(reference);
		proxy.clear();
		pull(reference);
		assertThat(proxy.exchanges()).noneMatch((exchange) -> exchange.path().contains("/blobs/"));
		assertThat(statuses()).contains("Already exists", "Status: Image is up to date for " + reference);
		// and after a restart of the engine: records and tags come back from disk
		open(registries);
		assertThat(this.images.resolve(reference).id()).isEqualTo(this.images.list(Map.of(), false).get(0).id());
	}

	@Test
	void ociGzipAndZstdLayersUnpackToTheSameDiffIds() {
		ImageRecord gzip = pull(proxy.host() + "/oci/busybox:latest");
		assertThat(gzip.manifestMediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
		assertThat(gzip.layers().get(0).mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
		// the same config makes the same image: remove it so the zstd pull records its own layers
		this.images.remove(gzip.id().toString(), true, ImageUsers.NONE);
		ImageRecord zstd = pull(proxy.host() + "/oci/busybox:zstd");
		assertThat(zstd.id()).isEqualTo(gzip.id());
		assertThat(zstd.layers().get(0).mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
		assertThat(zstd.layers().get(0).blob()).isNotEqualTo(gzip.layers().get(0).blob());
		assertThat(zstd.layers().get(0).diffId()).isEqualTo(gzip.layers().get(0).diffId());
		assertThat(zstd.layers().get(0).unpackedSize()).isEqualTo(gzip.layers().get(0).unpackedSize());
	}

	@Test
	void theIndexEntryForTheRequestedPlatformIsPulled() {
		String reference = proxy.host() + "/multiarch:latest";
		ImageRecord amd64 = pull(reference, AMD64);
		assertThat(label(amd64)).isEqualTo("amd64");
		ImageRecord arm64 = pull(reference, Platform.parse("linux/arm64/v8"));
		assertThat(label(arm64)).isEqualTo("arm64");
		assertThat(this.images.config(arm64).architecture()).isEqualTo("arm64");
		// the tag follows the last pull; the RepoDigest is the index's for both
		assertThat(this.images.resolve(reference).id()).isEqualTo(arm64.id());
		assertThat(this.images.repoDigests(arm64)).containsExactly(proxy.host() + "/multiarch@" + registry.manifestDigest("multiarch:latest"));
		assertThatThrownBy(() -> pull(reference, Platform.parse("linux/s390x")))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.NOT_FOUND))
			.hasMessage("no matching manifest for linux/s390x in the manifest list entries");
	}

	@Test
	void layersArePulledInOrderWithTheirChainIds() {
		ImageRecord layered = pull(proxy.host() + "/layered:latest");
		assertThat(layered.layers()).hasSize(2);
		List<Digest> chain = layered.chainIds();
		assertThat(chain.get(0)).isEqualTo(layered.layers().get(0).diffId());
		assertThat(chain.get(1)).isEqualTo(Digest.of((chain.get(0) + " " + layered.layers().get(1).diffId()).getBytes()));
	}

	@Test
	void aBrokenTransferResumesFromWhatWasWritten() throws Exception {
		String reference = proxy.host() + "/big:latest";
		String bigLayer = JsonMapper.builder().build().readTree(registry.manifest("big:latest"))
			.path("layers").get(1).path("digest").asString();
		proxy.cutNextGet("/v2/big/blobs/" + bigLayer, 30L << 20);
		ImageRecord big = pull(reference);
		assertThat(big.size()).isGreaterThan(100L << 20);
		List<RecordingProxy.Exchange> blobGets = proxy.exchanges().stream()
			.filter((e) -> e.method().equals("GET") && e.path().contains("/blobs/"))
			.toList();
		assertThat(blobGets).anyMatch(RecordingProxy.Exchange::cut);
		RecordingProxy.Exchange cut = blobGets.stream().filter(RecordingProxy.Exchange::cut).findFirst().orElseThrow();
		assertThat(blobGets).anySatisfy((resumed) -> {
			assertThat(resumed.path()).isEqualTo(cut.path());
			assertThat(resumed.status()).isEqualTo(206);
			assertThat(resumed.requestHeaders().firstValue("Range").orElse("")).startsWith("bytes=");
		});
		long transferred = blobGets.stream().filter((e) -> e.path().equals(cut.path())).mapToLong(RecordingProxy.Exchange::responseBytes).sum();
		long blobSize = big.layers().stream().filter((l) -> cut.path().endsWith(l.blob().toString())).findFirst().orElseThrow().size();
		// the kept prefix was not fetched again
		assertThat(transferred).isLessThan(blobSize + (1L << 20));
	}

	@Test
	void aBlobThatDoesNotMatchItsDigestFailsThePullAndLeavesNothing() throws Exception {
		try (TestRegistry own = TestRegistry.start(TestRegistry.Auth.NONE)) {
			own.push(Fixtures.BUSYBOX, "corrupt:latest", TestRegistry.Format.OCI);
			String layer = JsonMapper.builder().build().readTree(own.manifest("corrupt:latest"))
				.path("layers").get(0).path("digest").asString();
			own.corruptBlob(layer);
			assertThatThrownBy(() -> pull(own.host() + "/corrupt:latest"))
				.isInstanceOfSatisfying(RegistryException.class,
						(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.INVALID))
				.hasMessageContaining("filesystem layer verification failed for digest " + layer);
			assertThat(this.content.has(Digest.parse(layer))).isFalse();
			assertThat(this.dataRoot.resolve("content/ingest")).isEmptyDirectory();
			assertThat(this.images.list(Map.of(), true)).isEmpty();
		}
	}

	@Test
	void dockerHubNamesArePulledThroughTheMirror() {
		try (Registries mirrored = new Registries(new RegistryHosts(List.of(proxy.uri().toString()), List.of()), 3)) {
			open(mirrored);
			pullThroughMirror();
		}
	}

	private void pullThroughMirror() {
		ImageRecord record = pull("busybox");
		assertThat(this.images.repoTags(record)).containsExactly("busybox:latest");
		assertThat(this.images.resolve("docker.io/library/busybox:latest").id()).isEqualTo(record.id());
		assertThat(statuses()).contains("Status: Downloaded newer image for busybox:latest");
		assertThat(proxy.exchanges()).anyMatch((e) -> e.path().equals("/v2/library/busybox/manifests/latest"));
	}

	@Test
	void aMissingTagIsNotFoundInDockersWords() {
		assertThatThrownBy(() -> pull(proxy.host() + "/library/busybox:nope"))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.NOT_FOUND))
			.hasMessage("manifest for nope not found: manifest unknown: manifest unknown");
	}

	@Test
	void removeUntagsThenDeletesImageAndBlobs() {
		ImageRecord record = pull(proxy.host() + "/library/busybox:latest");
		// its tag and its repository digest are one reference for dockerd: removing it would leave the image unnamed
		ImageUsers stopped = (id) -> List.of(new ImageUsers.User("c0ffee0123456789", false));
		assertThatThrownBy(() -> this.images.remove(proxy.host() + "/library/busybox:latest", false, stopped))
			.isInstanceOf(ImageConflictException.class)
			.hasMessage("conflict: unable to remove repository reference \"" + proxy.host()
					+ "/library/busybox:latest\" (must force) - container c0ffee012345 is using its referenced image "
					+ record.id().shortId());
		this.images.tag(record.id().toString(), "mine:1");
		this.images.tag("mine:1", "other/repo:2");
		assertThatThrownBy(() -> this.images.remove(record.id().shortId(), false, ImageUsers.NONE))
			.isInstanceOf(ImageConflictException.class)
			.hasMessage("conflict: unable to delete " + record.id().shortId()
					+ " (must be forced) - image is referenced in multiple repositories");
		assertThat(this.images.remove("mine:1", false, ImageUsers.NONE)).containsExactly(ImageDeleteItem.untagged("mine:1"));
		ImageUsers running = (id) -> List.of(new ImageUsers.User("c0ffee0123456789", true));
		assertThatThrownBy(() -> this.images.remove(record.id().toString(), true, running))
			.hasMessageContaining("(cannot be forced) - image is being used by running container c0ffee012345");
		List<ImageDeleteItem> removed = this.images.remove(record.id().toString(), true, ImageUsers.NONE);
		assertThat(removed).contains(ImageDeleteItem.untagged("other/repo:2"), ImageDeleteItem.deleted(record.id().toString()),
				ImageDeleteItem.deletedLayer(record.chainIds().get(0).toString()));
		assertThat(this.images.list(Map.of(), true)).isEmpty();
		assertThat(this.content.list()).isEmpty();
		assertThatThrownBy(() -> this.images.resolve("mine:1")).isInstanceOf(ImageNotFoundException.class)
			.hasMessage("No such image: mine:1");
	}

	@Test
	void listFiltersAsDockerDoes() {
		ImageRecord busybox = pull(proxy.host() + "/library/busybox:latest");
		ImageRecord layered = pull(proxy.host() + "/layered:latest");
		assertThat(this.images.list(Map.of("reference", List.of("*/layered")), false)).extracting(ImageRecord::id)
			.containsExactly(layered.id());
		assertThat(this.images.list(Map.of("reference", List.of("*/library/busybox:latest")), false)).extracting(ImageRecord::id)
			.containsExactly(busybox.id());
		assertThat(this.images.list(Map.of("dangling", List.of("true")), false)).isEmpty();
		this.images.remove(proxy.host() + "/layered:latest", true, (id) -> List.of(new ImageUsers.User("abc", false)));
		assertThat(this.images.list(Map.of("dangling", List.of("true")), false)).extracting(ImageRecord::id)
			.containsExactly(layered.id());
		assertThatThrownBy(() -> this.images.list(Map.of("colour", List.of("blue")), false))
			.hasMessage("invalid filter 'colour'");
	}

	private List<String> statuses() {
		return this.progress.stream().map(ProgressEvent::status).toList();
	}

	private String label(ImageRecord record) {
		return this.images.config(record).json().path("config").path("Labels").path(Fixtures.PLATFORM_LABEL).asString();
	}

}
