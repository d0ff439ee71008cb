package dev.berth.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;

import dev.berth.contracts.agent.v1.AttachRequest;
import dev.berth.contracts.agent.v1.AttachResponse;
import dev.berth.contracts.agent.v1.TaskServiceGrpc;

/** A test's gRPC client of a runtime agent. */
final class AgentClient implements AutoCloseable {

	final ManagedChannel channel;

	final TaskServiceGrpc.TaskServiceBlockingStub tasks;

	final TaskServiceGrpc.TaskServiceStub async;

	AgentClient(int port) {
		this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
		this.tasks = TaskServiceGrpc.newBlockingStub(this.channel);
		this.async = TaskServiceGrpc.newStub(this.channel);
	}

	/** Attaches, sends {@code stdin} then half-closes, and collects everything until the exit. */
	Attached attach(String id, String execId, String stdin) throws InterruptedException {
		Attached attached = open(id, execId, stdin != null);
		if (stdin != null) {
			attached.writeStdin(stdin);
			attached.requests().onNext(AttachRequest.newBuilder().setCloseStdin(true).build());
		}
		return attached;
	}

	/** Attaches with stdin open, for the test to write to it when it wants. */
	Attached attachWithStdin(String id, String execId) throws InterruptedException {
		return open(id, execId, true);
	}

	private Attached open(String id, String execId, boolean stdin) throws InterruptedException {
		BlockingQueue<Object> events = new LinkedBlockingQueue<>();
		StreamObserver<AttachRequest> requests = this.async.attach(new StreamObserver<>() {

			@Override
			public void onNext(AttachResponse response) {
				events.add(response);
			}

			@Override
			public void onError(Throwable error) {
				events.add(error);
			}

			@Override
			public void onCompleted() {
				events.add("completed");
			}

		});
		requests.onNext(AttachRequest.newBuilder()
			.setContainerId(id)
			.setExecId(execId)
			.setStdin(stdin)
			.setStdout(true)
			.setStderr(true)
			.build());
		awaitAttached(events);
		return new Attached(requests, events);
	}

	/** The agent's first answer says the attachment is in place: a Start sent now loses nothing. */
	private static void awaitAttached(BlockingQueue<Object> events) throws InterruptedException {
		Object first = events.poll(30, java.util.concurrent.TimeUnit.SECONDS);
		if (first instanceof Throwable error) {
			throw new AssertionError("attach failed", error);
		}
		if (!(first instanceof AttachResponse response) || !response.getAttached()) {
			throw new AssertionError("the first attach response is not \"attached\": " + first);
		}
	}

	@Override
	public void close() {
		this.channel.shutdownNow();
	}

	record Attached(StreamObserver<AttachRequest> requests, BlockingQueue<Object> events) {

		/** stdout and stderr as received, until the stream ends (eof or completion). */
		List<AttachResponse> collect() throws InterruptedException {
			List<AttachResponse> received = new ArrayList<>();
			while (true) {
				Object event = this.events.poll(30, java.util.concurrent.TimeUnit.SECONDS);
				if (event == null) {
					throw new AssertionError("attach stream stalled; got " + received);
				}
				if (event instanceof Throwable error) {
					throw new AssertionError("attach failed", error);
				}
				if (event instanceof AttachResponse response) {
					if (response.getEof()) {
						return received;
					}
					received.add(response);
				}
				else {
					return received;
				}
			}
		}

		void writeStdin(String data) {
			this.requests.onNext(AttachRequest.newBuilder().setData(ByteString.copyFrom(data, StandardCharsets.UTF_8)).build());
		}

		String stdout() throws InterruptedException {
			StringBuilder out = new StringBuilder();
			for (AttachResponse response : collect()) {
				out.append(response.getData().toStringUtf8());
			}
			return out.toString();
		}

	}

}
