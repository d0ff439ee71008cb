package dev.berth.engine.event;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import dev.berth.contracts.lifecycle.v1.Event;
import dev.berth.contracts.lifecycle.v1.EventServiceGrpc;
import dev.berth.contracts.lifecycle.v1.PublishRequest;
import dev.berth.contracts.lifecycle.v1.PublishResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publisher against a gRPC server on loopback that keeps what it receives, as lifecycle-service's event log
 * would: Docker's event fields arrive as the engine made them, and a log that is not there costs the event only.
 */
class EventLogPublisherTests {

	private static final Instant NOW = Instant.parse("2025-01-02T03:04:05.123456789Z");

	@Test
	void anImageEventArrivesWithDockersFields() throws Exception {
		List<Event> received = new CopyOnWriteArrayList<>();
		Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
			.addService(new EventServiceGrpc.EventServiceImplBase() {

				@Override
				public void publish(PublishRequest request, StreamObserver<PublishResponse> responses) {
					received.add(request.getEvent());
					responses.onNext(PublishResponse.getDefaultInstance());
					responses.onCompleted();
				}

			})
			.build()
			.start();
		try (EventLogPublisher publisher = new EventLogPublisher("127.0.0.1:" + server.getPort(),
				Clock.fixed(NOW, ZoneOffset.UTC))) {
			publisher.published("tag", "sha256:" + "ab".repeat(32), Map.of("name", "busybox:1"));
		}
		finally {
			server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
		}
		assertThat(received).containsExactly(Event.newBuilder()
			.setType("image")
			.setAction("tag")
			.setActorId("sha256:" + "ab".repeat(32))
			.putAttributes("name", "busybox:1")
			.setScope("local")
			.setTimeUnixNano(NOW.getEpochSecond() * 1_000_000_000L + NOW.getNano())
			.build());
	}

	@Test
	void aLogThatIsNotThereLosesTheEventNotTheOperation() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		try (EventLogPublisher publisher = new EventLogPublisher("127.0.0.1:" + closedPort, Clock.systemUTC())) {
			publisher.published("delete", "sha256:" + "cd".repeat(32), Map.of("name", "sha256:" + "cd".repeat(32)));
		}
	}

}
