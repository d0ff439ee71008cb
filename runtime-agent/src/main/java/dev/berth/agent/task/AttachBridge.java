package dev.berth.agent.task;

import java.io.IOException;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import dev.berth.agent.AgentErrors;
import dev.berth.agent.CallCancellation;
import dev.berth.contracts.agent.v1.AttachRequest;
import dev.berth.contracts.agent.v1.AttachResponse;
import dev.berth.contracts.agent.v1.StdioStream;
import dev.berth.runtime.shim.ShimClient;
import dev.berth.runtime.shim.ShimWire;

/**
 * One Attach stream: the first message names the process, later ones carry stdin. The first
 * response says {@code attached} once the shim has the attachment in place, so the caller may
 * start the process then and miss none of its output.
 */
final class AttachBridge implements StreamObserver<AttachRequest> {

	private final ShimClient shim;

	private final ServerCallStreamObserver<AttachResponse> observer;

	private ShimClient.Session session;

	AttachBridge(ShimClient shim, StreamObserver<AttachResponse> observer) {
		this.shim = shim;
		this.observer = (ServerCallStreamObserver<AttachResponse>) observer;
		this.observer.setOnCancelHandler(this::closeSession);
	}

	@Override
	public synchronized void onNext(AttachRequest request) {
		try {
			if (this.session == null) {
				this.session = this.shim.attach(request.getContainerId(), request.getExecId(), request.getStdin(),
						request.getStdout(), request.getStderr());
				synchronized (this.observer) {
					this.observer.onNext(AttachResponse.newBuilder().setAttached(true).build());
				}
				Thread.ofVirtual().name("berth-attach-out").start(this::pumpOutput);
			}
			if (!request.getData().isEmpty()) {
				this.session.writeStdin(request.getData().toByteArray());
			}
			if (request.getCloseStdin()) {
				this.session.closeStdin();
			}
		}
		catch (IOException | RuntimeException ex) {
			fail(ex);
		}
	}

	private void pumpOutput() {
		try {
			ShimWire.Frame frame;
			while ((frame = this.session.read()) != null) {
				AttachResponse.Builder response = AttachResponse.newBuilder();
				if (frame.stream() == ShimWire.EXIT) {
					synchronized (this.observer) {
						this.observer.onNext(response.setEof(true).build());
						this.observer.onCompleted();
					}
					closeSession();
					return;
				}
				response.setStream((frame.stream() == ShimWire.STDERR) ? StdioStream.STDIO_STREAM_STDERR
						: StdioStream.STDIO_STREAM_STDOUT).setData(ByteString.copyFrom(frame.data()));
				synchronized (this.observer) {
					this.observer.onNext(response.build());
				}
			}
			synchronized (this.observer) {
				this.observer.onCompleted();
			}
		}
		catch (IOException | RuntimeException ex) {
			if (!this.observer.isCancelled()) {
				fail(ex);
			}
		}
	}

	@Override
	public void onError(Throwable error) {
		closeSession();
	}

	@Override
	public synchronized void onCompleted() {
		// the client is done sending: that ends its stdin; output goes on until the process exits
		try {
			if (this.session != null) {
				this.session.closeStdin();
			}
		}
		catch (IOException ex) {
			closeSession();
		}
	}

	private void fail(Exception ex) {
		synchronized (this.observer) {
			this.observer.onError(AgentErrors.toStatus(ex));
		}
		closeSession();
	}

	private void closeSession() {
		if (this.session != null) {
			CallCancellation.closeQuietly(this.session);
		}
	}

}
