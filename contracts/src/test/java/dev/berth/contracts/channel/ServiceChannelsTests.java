package dev.berth.contracts.channel;

import java.io.IOException;
import java.util.UUID;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.berth.contracts.engine.v1.ContentServiceGrpc;
import dev.berth.contracts.engine.v1.InfoRequest;
import dev.berth.contracts.engine.v1.InfoResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ServiceChannelsTests {

	private final String name = "content-" + UUID.randomUUID();

	private Server server;

	private ManagedChannel channel;

	@AfterEach
	void close() {
		if (this.channel != null) {
			this.channel.shutdownNow();
		}
		if (this.server != null) {
			this.server.shutdownNow();
		}
	}

	@Test
	void anInProcessTargetReachesTheServerOfThatName() throws IOException {
		this.server = InProcessServerBuilder.forName(this.name).addService(new SizeOfEveryBlob(42)).build().start();
		this.channel = ServiceChannels.open(ServiceChannels.IN_PROCESS + this.name);
		InfoResponse info = ContentServiceGrpc.newBlockingStub(this.channel)
			.info(InfoRequest.newBuilder().setDigest("sha256:ab").build());
		assertThat(info.getDigest()).isEqualTo("sha256:ab");
		assertThat(info.getSize()).isEqualTo(42);
	}

	@Test
	void anInProcessTargetWithoutItsServerIsUnavailable() throws IOException {
		this.server = InProcessServerBuilder.forName(this.name).addService(new SizeOfEveryBlob(42)).build().start();
		this.channel = ServiceChannels.open(ServiceChannels.IN_PROCESS + this.name + "-other");
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> ContentServiceGrpc.newBlockingStub(this.channel)
				.info(InfoRequest.newBuilder().setDigest("sha256:ab").build()))
			.extracting(StatusRuntimeException::getStatus)
			.extracting(Status::getCode)
			.isEqualTo(Status.Code.UNAVAILABLE);
	}

	@Test
	void aHostAndPortIsANetworkChannel() {
		this.channel = ServiceChannels.open("127.0.0.1:7442");
		assertThat(this.channel.authority()).isEqualTo("127.0.0.1:7442");
	}

	private static final class SizeOfEveryBlob extends ContentServiceGrpc.ContentServiceImplBase {

		private final long size;

		SizeOfEveryBlob(long size) {
			this.size = size;
		}

		@Override
		public void info(InfoRequest request, StreamObserver<InfoResponse> responses) {
			responses.onNext(InfoResponse.newBuilder().setDigest(request.getDigest()).setSize(this.size).build());
			responses.onCompleted();
		}

	}

}
