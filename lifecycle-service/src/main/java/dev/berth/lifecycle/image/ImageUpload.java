package dev.berth.lifecycle.image;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * One client-streaming call to engine-service, fed from a thread of the caller's under the call's
 * flow control: {@link #send} waits until the engine takes another message, and stops sending
 * once the engine has answered (an early refusal), so the caller can stop reading its source.
 */
final class ImageUpload<Q, R> implements ClientResponseObserver<Q, R> {

	private final Object readiness = new Object();

	private final CompletableFuture<R> answer = new CompletableFuture<>();

	private ClientCallStreamObserver<Q> requests;

	private R response;

	@Override
	public void beforeStart(ClientCallStreamObserver<Q> requests) {
		this.requests = requests;
		requests.setOnReadyHandler(this::signal);
	}

	/** Sends {@code request} once the engine takes it; false when the call has ended and it was dropped. */
	boolean send(Q request) {
		synchronized (this.readiness) {
			while (!this.answer.isDone() && !this.requests.isReady()) {
				try {
					// the timeout only guards against a readiness change between the check and the wait
					this.readiness.wait(100);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					cancel("interrupted", ex);
					throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
				}
			}
		}
		if (this.answer.isDone()) {
			return false;
		}
		this.requests.onNext(request);
		return true;
	}

	void cancel(String why, Throwable cause) {
		this.requests.cancel(why, cause);
	}

	/** Ends the sending and waits for the engine's answer. */
	R finish() {
		if (!this.answer.isDone()) {
			this.requests.onCompleted();
		}
		try {
			return this.answer.join();
		}
		catch (CompletionException ex) {
			throw Status.fromThrowable(ex.getCause()).asRuntimeException();
		}
	}

	@Override
	public void onNext(R value) {
		this.response = value;
	}

	@Override
	public void onError(Throwable error) {
		this.answer.completeExceptionally(error);
		signal();
	}

	@Override
	public void onCompleted() {
		if (this.response == null) {
			this.answer.completeExceptionally(
					new StatusRuntimeException(Status.INTERNAL.withDescription("the engine answered nothing")));
		}
		else {
			this.answer.complete(this.response);
		}
		signal();
	}

	private void signal() {
		synchronized (this.readiness) {
			this.readiness.notifyAll();
		}
	}

}
