package dev.berth.engine.image;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.berth.contracts.engine.v1.ContentServiceGrpc;
import dev.berth.contracts.engine.v1.FilterValues;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.InspectRequest;
import dev.berth.contracts.engine.v1.ListRequest;
import dev.berth.contracts.engine.v1.LoginRequest;
import dev.berth.contracts.engine.v1.PullRequest;
import dev.berth.contracts.engine.v1.PullResponse;
import dev.berth.contracts.engine.v1.PushRequest;
import dev.berth.contracts.engine.v1.PushResponse;
import dev.berth.contracts.engine.v1.ReadRequest;
import dev.berth.contracts.engine.v1.ReadResponse;
import dev.berth.contracts.engine.v1.RemoveRequest;
import dev.berth.contracts.engine.v1.TagRequest;
import dev.berth.engine.content.Digest;
import dev.berth.engine.testing.Fixtures;
import dev.berth.engine.testing.TestRegistry;

import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine as the gateway and the agents see it: its gRPC services, over a real port, against
 * a registry that wants basic auth, with credentials passed as Docker's X-Registry-Auth.
 */
@SpringBootTest(properties = { "spring.grpc.server.port=0", "berth.data-root=${java.io.tmpdir}/berth-engine-grpc-test" })
class ImageGrpcTests {

	private static TestRegistry registry;

	@LocalGrpcServerPort
	int port;

	private ManagedChannel channel;

	private ImageServiceGrpc.ImageServiceBlockingStub images;

	@BeforeAll
	static void startRegistry() {
		registry = TestRegistry.start(TestRegistry.Auth.BASIC);
		registry.push(Fixtures.LAYERED, "app:1", TestRegistry.Format.OCI);
	}

	@AfterAll
	static void stopRegistry() {
		registry.close();
		FileSystemUtils.deleteRecursively(Path.of(System.getProperty("java.io.tmpdir"), "berth-engine-grpc-test").toFile());
	}

	@BeforeEach
	void connect() {
		this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", this.port).usePlaintext().build();
		this.images = ImageServiceGrpc.newBlockingStub(this.channel);
	}

	@AfterEach
	void disconnect() {
		this.channel.shutdownNow();
	}

	private static String registryAuth() {
		String json = "{\"username\":\"" + TestRegistry.USERNAME + "\",\"password\":\"" + TestRegistry.PASSWORD
				+ "\",\"serveraddress\":\"" + registry.host() + "\"}";
		return Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void pullStreamsProgressThenTheImageAndTheEngineServesItsBlobs() {
		List<PullResponse> stream = new ArrayList<>();
		this.images.pull(PullRequest.newBuilder().setReference(registry.reference("app:1")).setPlatform("linux/amd64")
			.setRegistryAuth(registryAuth()).build()).forEachRemaining(stream::add);
		assertThat(stream.get(stream.size() - 1).hasImage()).isTrue();
		assertThat(stream.subList(0, stream.size() - 1)).allMatch(PullResponse::hasProgress)
			.anyMatch((r) -> r.getProgress().getStatus().equals("Download complete"));
		Image image = stream.get(stream.size() - 1).getImage();
		assertThat(image.getRepoTagsList()).containsExactly(registry.reference("app:1"));
		assertThat(image.getLayersList()).hasSize(2).allSatisfy((layer) -> {
			assertThat(layer.getDiffId()).startsWith("sha256:");
			assertThat(layer.getChainId()).startsWith("sha256:");
		});
		assertThat(Digest.of(image.getConfigJson().toByteArray())).hasToString(image.getId());

		// an agent reads a layer blob by digest and gets exactly its bytes
		String blob = image.getLayers(1).getBlobDigest();
		Iterator<ReadResponse> chunks = ContentServiceGrpc.newBlockingStub(this.channel)
			.read(ReadRequest.newBuilder().setDigest(blob).build());
		java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
		chunks.forEachRemaining((chunk) -> bytes.writeBytes(chunk.getData().toByteArray()));
		assertThat(Digest.of(bytes.toByteArray())).hasToString(blob);

		Image inspected = this.images.inspect(InspectRequest.newBuilder().setName(image.getId().substring(7, 19)).build()).getImage();
		assertThat(inspected.getId()).isEqualTo(image.getId());
		this.images.tag(TagRequest.newBuilder().setSource(image.getId()).setTarget(registry.reference("app:2")).build());
		assertThat(this.images.list(ListRequest.newBuilder()
			.putFilters("reference", FilterValues.newBuilder().addValues("*/app:2").build()).build()).getImagesList())
			.extracting(Image::getId).containsExactly(image.getId());

		List<PushResponse> pushed = new ArrayList<>();
		this.images.push(PushRequest.newBuilder().setName(registry.reference("app")).setTag("2").setRegistryAuth(registryAuth())
			.build()).forEachRemaining(pushed::add);
		assertThat(pushed.get(pushed.size() - 1).getPushed().getDigest()).isEqualTo(registry.manifestDigest("app:1"));

		assertThat(this.images.remove(RemoveRequest.newBuilder().setName(registry.reference("app:2")).build()).getItemsList())
			.singleElement().satisfies((item) -> assertThat(item.getUntagged()).isEqualTo(registry.reference("app:2")));
		assertThatThrownBy(() -> this.images.remove(RemoveRequest.newBuilder().setName(image.getId()).addUsers(
				dev.berth.contracts.engine.v1.ImageUser.newBuilder().setContainerId("0123456789abcdef").setImageId(image.getId())
					.setRunning(true)).build()))
			.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
				assertThat(ex.getStatus().getDescription()).contains("image is being used by running container 0123456789ab");
			});
	}

	@Test
	void loginAndPullRefusalsCarryDockersStatus() {
		assertThat(this.images.login(LoginRequest.newBuilder().setServerAddress("http://" + registry.host() + "/v2/")
			.setUsername(TestRegistry.USERNAME).setPassword(TestRegistry.PASSWORD).build()).getStatus()).isEqualTo("Login Succeeded");
		assertThatThrownBy(() -> this.images.login(LoginRequest.newBuilder().setServerAddress(registry.host())
			.setUsername(TestRegistry.USERNAME).setPassword("nope").build()))
			.isInstanceOfSatisfying(StatusRuntimeException.class,
					(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
		assertThatThrownBy(() -> this.images.pull(PullRequest.newBuilder().setReference(registry.reference("app:1")).build())
			.forEachRemaining((r) -> {
			}))
			.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
				assertThat(ex.getStatus().getDescription()).isEqualTo("no basic auth credentials");
			});
		assertThatThrownBy(() -> this.images.pull(PullRequest.newBuilder().setReference(registry.reference("missing:1"))
			.setRegistryAuth(registryAuth()).build()).forEachRemaining((r) -> {
			}))
			.isInstanceOfSatisfying(StatusRuntimeException.class,
					(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
	}

}
