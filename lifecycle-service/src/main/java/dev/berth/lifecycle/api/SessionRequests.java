package dev.berth.lifecycle.api;

import java.util.function.Function;
import java.util.function.Predicate;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import dev.berth.lifecycle.task.StdinSession;

/**
 * The requests of an attach or exec-start stream: the first opens the session, later ones carry
 * stdin; the client's half-close ends stdin, and a client that goes away ends the session.
 */
final class SessionRequests<R> implements StreamObserver<R> {

	/** Opens the session for the first request; null when there is none to feed (a detached exec). */
	interface Opener<R> {

		StdinSession open(R first);

	}

	private final Opener<R> opener;

	private final Function<R, ByteString> data;

	private final Predicate<R> closeStdin;

	private final StreamingClient<?> client;

	private boolean opened;

	private StdinSession session;

	private SessionRequests(Opener<R> opener, Function<R, ByteString> data, Predicate<R> closeStdin,
			StreamingClient<?> client) {
		this.opener = opener;
		this.data = data;
		this.closeStdin = closeStdin;
		this.client = client;
	}

	static <R, A> SessionRequests<R> of(StreamObserver<A> responses, StreamingClient<A> client, Opener<R> opener,
			Function<R, ByteString> data, Predicate<R> closeStdin) {
		SessionRequests<R> requests = new SessionRequests<>(opener, data, closeStdin, client);
		// set while the call starts, as gRPC requires
		((ServerCallStreamObserver<A>) responses).setOnCancelHandler(() -> requests.onError(null));
		return requests;
	}

	@Override
	public synchronized void onNext(R request) {
		try {
			if (!this.opened) {
				this.opened = true;
				this.session = this.opener.open(request);
			}
			if (this.session == null) {
				return;
			}
			ByteString stdin = this.data.apply(request);
			if (!stdin.isEmpty()) {
				this.session.stdin(stdin.toByteArray());
			}
			if (this.closeStdin.test(request)) {
				this.session.closeStdin();
			}
		}
		catch (RuntimeException ex) {
			this.client.fail(ex);
			if (this.session != null) {
				this.session.cancel();
			}
		}
	}

	@Override
	public synchronized void onError(Throwable error) {
		if (this.session != null) {
			this.session.cancel();
		}
	}

	@Override
	public synchronized void onCompleted() {
		if (this.session != null) {
			this.session.closeStdin();
		}
	}

}
