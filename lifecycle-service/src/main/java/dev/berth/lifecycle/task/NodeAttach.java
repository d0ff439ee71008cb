package dev.berth.lifecycle.task;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import dev.berth.contracts.agent.v1.AttachRequest;
import dev.berth.contracts.agent.v1.AttachResponse;
import dev.berth.contracts.agent.v1.StdioStream;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.lifecycle.node.Node;

/**
 * One attach stream to a process on its node: stdin goes out, output comes back to the client.
 * {@link #open} returns once the node says the attachment is in place, so a start sent after it
 * cannot lose output.
 */
final class NodeAttach implements ClientResponseObserver<AttachRequest, AttachResponse>, StdinSession {

	private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(30);

	private final AttachClient client;

	private final CountDownLatch attached = new CountDownLatch(1);

	private volatile ClientCallStreamObserver<AttachRequest> requests;

	private volatile Throwable failure;

	private NodeAttach(AttachClient client) {
		this.client = client;
	}

	static NodeAttach open(Node node, String containerId, String execId, boolean stdin, boolean stdout, boolean stderr,
			AttachClient client) {
		NodeAttach attach = new NodeAttach(client);
		// not bound to the call that opens it (a start that connects waiting sessions ends long
		// before the process does): the session's own end or cancel closes it
		Context.current().fork().run(() -> node.tasksAsync().attach(attach));
		synchronized (attach) {
			attach.requests.onNext(AttachRequest.newBuilder()
				.setContainerId(containerId)
				.setExecId(execId)
				.setStdin(stdin)
				.setStdout(stdout)
				.setStderr(stderr)
				.build());
		}
		try {
			if (!attach.attached.await(ATTACH_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				attach.cancel();
				throw Status.DEADLINE_EXCEEDED.withDescription("the node did not attach to " + containerId)
					.asRuntimeException();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			attach.cancel();
			throw Status.CANCELLED.withDescription("interrupted while attaching").asRuntimeException();
		}
		if (attach.failure != null) {
			throw Status.fromThrowable(attach.failure).asRuntimeException();
		}
		return attach;
	}

	@Override
	public void beforeStart(ClientCallStreamObserver<AttachRequest> requests) {
		this.requests = requests;
	}

	@Override
	public void onNext(AttachResponse response) {
		if (response.getAttached()) {
			this.attached.countDown();
		}
		if (!response.getData().isEmpty()) {
			Stream stream = (response.getStream() == StdioStream.STDIO_STREAM_STDERR) ? Stream.STREAM_STDERR
					: Stream.STREAM_STDOUT;
			this.client.output(stream, response.getData().toByteArray());
		}
	}

	@Override
	public void onError(Throwable error) {
		this.failure = error;
		if (this.attached.getCount() > 0) {
			this.attached.countDown();
			return;
		}
		if (Status.fromThrowable(error).getCode() != Status.Code.CANCELLED) {
			this.client.fail(error);
		}
	}

	@Override
	public void onCompleted() {
		this.attached.countDown();
		this.client.end();
	}

	@Override
	public synchronized void stdin(byte[] data) {
		this.requests.onNext(AttachRequest.newBuilder().setData(ByteString.copyFrom(data)).build());
	}

	@Override
	public synchronized void closeStdin() {
		this.requests.onNext(AttachRequest.newBuilder().setCloseStdin(true).build());
	}

	/** The client went away or detached: the process goes on, this stream ends. */
	@Override
	public synchronized void cancel() {
		this.requests.cancel("the client detached", null);
	}

}
