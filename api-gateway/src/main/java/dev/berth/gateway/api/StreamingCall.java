package dev.berth.gateway.api;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A gRPC call whose requests the gateway streams (an upload, a client's stdin) while its answers are read as an
 * iterator, as a blocking server stream would give them. Requests go out only as fast as the service takes them,
 * and from any thread: sending is serialised here, and ends quietly once the call has ended or been cancelled.
 */
final class StreamingCall<Q, R> implements ClientResponseObserver<Q, R>, Iterator<R> {

	// a marker for the end of the stream; a Status for its failure
	private static final Object END = new Object();

	private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

	private final Object readiness = new Object();

	private volatile boolean closed;

	// set once the gateway cancelled or completed its side: nothing more may be sent
	private boolean finished;

	private ClientCallStreamObserver<Q> requests;

	private Object next;

	@Override
	public void beforeStart(ClientCallStreamObserver<Q> requests) {
		this.requests = requests;
		requests.setOnReadyHandler(this::signal);
	}

	ClientCallStreamObserver<Q> requests() {
		return this.requests;
	}

	@Override
	public void onNext(R value) {
		this.queue.add(value);
	}

	@Override
	public void onError(Throwable t) {
		this.closed = true;
		this.queue.add(Status.fromThrowable(t));
		signal();
	}

	@Override
	public void onCompleted() {
		this.closed = true;
		this.queue.add(END);
		signal();
	}

	boolean isClosed() {
		return this.closed;
	}

	/** Waits until the call takes another message; false once it has ended. */
	boolean awaitReady() {
		synchronized (this.readiness) {
			while (!this.closed && !this.requests.isReady()) {
				try {
					// the timeout only guards against a readiness change between the check and the wait
					this.readiness.wait(100);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
				}
			}
		}
		return !this.closed;
	}

	/** Sends {@code request} once the call takes it; false when the call has ended and it was dropped. */
	boolean send(Q request) {
		if (!awaitReady()) {
			return false;
		}
		synchronized (this) {
			if (this.finished) {
				return false;
			}
			this.requests.onNext(request);
			return true;
		}
	}

	/** Ends the gateway's side of a call the service has answered in full, or cancels one it has not. */
	synchronized void finish(String whyCancelled) {
		if (this.finished) {
			return;
		}
		this.finished = true;
		if (this.closed) {
			this.requests.onCompleted();
		}
		else {
			this.requests.cancel(whyCancelled, null);
		}
	}

	private void signal() {
		synchronized (this.readiness) {
			this.readiness.notifyAll();
		}
	}

	@Override
	public boolean hasNext() {
		if (this.next == null) {
			try {
				this.next = this.queue.poll(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.requests.cancel("interrupted", ex);
				throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
			}
		}
		if (this.next instanceof Status failure) {
			throw failure.asRuntimeException();
		}
		return this.next != END;
	}

	@Override
	@SuppressWarnings("unchecked")
	public R next() {
		if (!hasNext()) {
			throw new NoSuchElementException();
		}
		R value = (R) this.next;
		this.next = null;
		return value;
	}

}
