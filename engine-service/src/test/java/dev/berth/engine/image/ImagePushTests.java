package dev.berth.engine.image;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pushes to real registries: within one registry layers are mounted across repositories, to
 * another one they are uploaded (a large layer in chunks), and the manifest digest a pulled
 * image had is the one the registry stores after the push.
 */
class ImagePushTests {

	private static final RegistryCredentials PUSHER = RegistryCredentials.basic(TestRegistry.USERNAME, TestRegistry.PASSWORD);

	private static TestRegistry source;

	private static TestRegistry target;

	private static RecordingProxy targetProxy;

	private static Registries registries;

	@TempDir
	Path dataRoot;

	private ImageService images;

	private final List<ProgressEvent> progress = new ArrayList<>();

	@BeforeAll
	static void startRegistries() {
		source = TestRegistry.start(TestRegistry.Auth.NONE);
		source.push(Fixtures.BUSYBOX, "library/busybox:latest", TestRegistry.Format.DOCKER_SCHEMA2);
		source.push(Fixtures.BIG, "big:latest", TestRegistry.Format.DOCKER_SCHEMA2);
		target = TestRegistry.start(TestRegistry.Auth.TOKEN);
		targetProxy = RecordingProxy.start(target.uri());
		registries = new Registries(new RegistryHosts(List.of(), List.of()), 3);
	}

	@AfterAll
	static void stopRegistries() {
		registries.close();
		targetProxy.close();
		target.close();
		source.close();
	}

	@BeforeEach
	void newEngine() {
		ContentStore content = new ContentStore(this.dataRoot.resolve("content"));
		this.images = new ImageService(new ImageStore(this.dataRoot.resolve("image")), content, registries, Clock.systemUTC());
		targetProxy.clear();
	}

	private ImageRecord pull(String reference) {
		return this.images.pull(ImageReference.parse(reference), Platform.parse("linux/amd64"), RegistryCredentials.ANONYMOUS,
				(event) -> {
				});
	}

	@Test
	void aLayerTheRegistryHoldsElsewhereIsMountedAndTheDigestKept() {
		ImageRecord busybox = pull(source.reference("library/busybox:latest"));
		this.images.tag(busybox.id().toString(), source.reference("team/busybox:v1"));
		List<Digest> pushed = digests(this.images.push(source.reference("team/busybox"), "v1", RegistryCredentials.ANONYMOUS,
				this.progress::add));
		assertThat(pushed).containsExactly(Digest.parse(source.manifestDigest("library/busybox:latest")));
		assertThat(source.manifestDigest("team/busybox:v1")).isEqualTo(source.manifestDigest("library/busybox:latest"));
		assertThat(statuses()).contains("The push refers to repository [" + source.reference("team/busybox") + "]",
				"Mounted from library/busybox",
				"v1: digest: " + pushed.get(0) + " size: " + source.manifest("library/busybox:latest").length);
		assertThat(this.images.repoDigests(this.images.resolve(busybox.id().toString())))
			.contains(source.reference("team/busybox") + "@" + pushed.get(0));
		this.progress.clear();
		this.images.push(source.reference("team/busybox:v1"), "", RegistryCredentials.ANONYMOUS, this.progress::add);
		assertThat(statuses()).contains("Layer already exists").doesNotContain("Pushed", "Mounted from library/busybox");
	}

	@Test
	void toAnotherRegistryBlobsAreUploadedLargeOnesInChunks() {
		ImageRecord big = pull(source.reference("big:latest"));
		String destination = targetProxy.host() + "/mirror/big";
		this.images.tag(big.id().toString(), destination + ":1.0");
		List<Digest> pushed = digests(this.images.push(destination, "1.0", PUSHER, this.progress::add));
		assertThat(pushed).containsExactly(Digest.parse(source.manifestDigest("big:latest")));
		assertThat(target.manifestDigest("mirror/big:1.0")).isEqualTo(pushed.get(0).toString());
		assertThat(statuses()).contains("Pushed");
		long patches = targetProxy.exchanges().stream().filter((e) -> e.method().equals("PATCH")).count();
		long bigLayerSize = big.layers().get(1).size();
		assertThat(patches).isEqualTo((bigLayerSize + (16L << 20) - 1) / (16L << 20));
		assertThat(targetProxy.exchanges()).anyMatch((e) -> e.method().equals("PUT") && e.path().contains("/blobs/uploads/")
				&& e.query() != null && e.query().contains("digest=" + big.layers().get(0).blob()));
		// and it pulls back whole from there
		ImageRecord back = new ImageService(new ImageStore(this.dataRoot.resolve("image2")),
				new ContentStore(this.dataRoot.resolve("content2")), registries, Clock.systemUTC())
			.pull(ImageReference.parse(destination + ":1.0"), Platform.parse("linux/amd64"), PUSHER, (event) -> {
			});
		assertThat(back.id()).isEqualTo(big.id());
	}

	@Test
	void pushRefusalsReadAsDockers() {
		ImageRecord busybox = pull(source.reference("library/busybox:latest"));
		this.images.tag(busybox.id().toString(), target.reference("denied/busybox:1"));
		assertThatThrownBy(() -> this.images.push(target.reference("denied/busybox"), "1",
				RegistryCredentials.basic(TestRegistry.USERNAME, "wrong"), this.progress::add))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED));
		assertThatThrownBy(() -> this.images.push(target.reference("nothing/here"), "", PUSHER, this.progress::add))
			.isInstanceOf(ImageNotFoundException.class)
			.hasMessage("An image does not exist locally with the tag: " + target.reference("nothing/here"));
	}

	private static List<Digest> digests(List<ImageService.PushedTag> pushed) {
		return pushed.stream().map(ImageService.PushedTag::digest).toList();
	}

	private List<String> statuses() {
		return this.progress.stream().map(ProgressEvent::status).toList();
	}

}
