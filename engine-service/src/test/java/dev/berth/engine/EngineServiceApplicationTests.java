package dev.berth.engine;

import java.nio.file.Files;
import java.nio.file.Path;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.berth.contracts.engine.v1.ContentServiceGrpc;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.InfoRequest;
import dev.berth.contracts.engine.v1.InspectRequest;
import dev.berth.contracts.engine.v1.ListRequest;
import dev.berth.contracts.engine.v1.PullRequest;
import dev.berth.contracts.engine.v1.RemoveRequest;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine starts on its own data root and answers over gRPC with Docker's errors. */
@SpringBootTest(properties = { "spring.grpc.server.port=0", "berth.data-root=${java.io.tmpdir}/berth-engine-context-test" })
class EngineServiceApplicationTests {

	@LocalGrpcServerPort
	int port;

	@Autowired
	EngineProperties properties;

	@AfterAll
	static void removeDataRoot() {
		FileSystemUtils.deleteRecursively(Path.of(System.getProperty("java.io.tmpdir"), "berth-engine-context-test").toFile());
	}

	@Test
	void servesImagesAndContentWithDockersErrors() {
		assertThat(Files.isDirectory(this.properties.contentRoot().resolve("blobs/sha256"))).isTrue();
		ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", this.port).usePlaintext().build();
		try {
			ImageServiceGrpc.ImageServiceBlockingStub images = ImageServiceGrpc.newBlockingStub(channel);
			assertThat(images.list(ListRequest.getDefaultInstance()).getImagesList()).isEmpty();
			assertThatThrownBy(() -> images.inspect(InspectRequest.newBuilder().setName("nope").build()))
				.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
					assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
					assertThat(ex.getStatus().getDescription()).isEqualTo("No such image: nope:latest");
				});
			assertThatThrownBy(() -> images.remove(RemoveRequest.newBuilder().setName("Bad:Name").build()))
				.isInstanceOfSatisfying(StatusRuntimeException.class,
						(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
			assertThatThrownBy(() -> images.pull(PullRequest.newBuilder().setReference("busybox").setRegistryAuth("%%").build())
				.hasNext())
				.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
					assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
					assertThat(ex.getStatus().getDescription()).contains("X-Registry-Auth");
				});
			ContentServiceGrpc.ContentServiceBlockingStub content = ContentServiceGrpc.newBlockingStub(channel);
			assertThatThrownBy(() -> content.info(InfoRequest.newBuilder().setDigest("sha256:" + "0".repeat(64)).build()))
				.isInstanceOfSatisfying(StatusRuntimeException.class,
						(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
			assertThatThrownBy(() -> content.info(InfoRequest.newBuilder().setDigest("../etc/passwd").build()))
				.isInstanceOfSatisfying(StatusRuntimeException.class,
						(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
		}
		finally {
			channel.shutdownNow();
		}
	}

}
