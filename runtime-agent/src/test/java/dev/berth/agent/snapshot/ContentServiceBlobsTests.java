package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.berth.contracts.engine.v1.ContentServiceGrpc;
import dev.berth.contracts.engine.v1.ReadRequest;
import dev.berth.contracts.engine.v1.ReadResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Blobs streamed over the ContentService contract, from a server that plays engine-service's
 * part (engine-service itself lives in another module) and can break a stream on purpose.
 */
class ContentServiceBlobsTests {

	private static final int CHUNK = 64 * 1024;

	private final byte[] blob = new byte[CHUNK * 5 + 123];

	private final AtomicBoolean breakOnce = new AtomicBoolean();

	private final AtomicInteger calls = new AtomicInteger();

	private Server server;

	private ManagedChannel channel;

	@BeforeEach
	void start() throws IOException {
		new Random(7).nextBytes(this.blob);
		String name = InProcessServerBuilder.generateName();
		this.server = InProcessServerBuilder.forName(name).addService(new ContentServiceGrpc.ContentServiceImplBase() {
			@Override
			public void read(ReadRequest request, StreamObserver<ReadResponse> responses) {
				ContentServiceBlobsTests.this.calls.incrementAndGet();
				if (!request.getDigest().equals("sha256:" + "a".repeat(64))) {
					responses.onError(Status.NOT_FOUND.withDescription("blob not found").asRuntimeException());
					return;
				}
				int offset = (int) request.getOffset();
				for (int position = offset; position < ContentServiceBlobsTests.this.blob.length; position += CHUNK) {
					if (position > offset && ContentServiceBlobsTests.this.breakOnce.getAndSet(false)) {
						responses.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
						return;
					}
					int end = Math.min(position + CHUNK, ContentServiceBlobsTests.this.blob.length);
					responses.onNext(ReadResponse.newBuilder()
						.setOffset(position)
						.setData(ByteString.copyFrom(Arrays.copyOfRange(ContentServiceBlobsTests.this.blob, position, end)))
						.build());
				}
				responses.onCompleted();
			}
		}).build().start();
		this.channel = InProcessChannelBuilder.forName(name).build();
	}

	@AfterEach
	void stop() {
		this.channel.shutdownNow();
		this.server.shutdownNow();
	}

	@Test
	void aBrokenStreamIsReopenedWhereItStopped() throws IOException {
		this.breakOnce.set(true);
		ContentServiceBlobs blobs = new ContentServiceBlobs(ContentServiceGrpc.newBlockingStub(this.channel));
		try (InputStream in = blobs.open("sha256:" + "a".repeat(64))) {
			assertThat(in.readAllBytes()).isEqualTo(this.blob);
		}
		assertThat(this.calls).hasValue(2);
	}

	@Test
	void aMissingBlobFailsAtOnce() {
		ContentServiceBlobs blobs = new ContentServiceBlobs(ContentServiceGrpc.newBlockingStub(this.channel));
		assertThatThrownBy(() -> blobs.open("sha256:" + "b".repeat(64)).read()).isInstanceOf(IOException.class)
			.hasMessageContaining("blob not found");
		assertThat(this.calls).hasValue(1);
	}

}
