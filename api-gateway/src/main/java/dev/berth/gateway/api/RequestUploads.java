package dev.berth.gateway.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;

/**
 * Sends a request body (an archive for docker load, later a build context) to a client-streaming gRPC call in chunks,
 * only as fast as the service takes them, so a large upload never sits in the gateway's heap. The answers come back
 * as an iterator, as a blocking server stream would give them, to be written by {@link ResponseStreams}.
 */
public final class RequestUploads {

	private static final int CHUNK_SIZE = 256 * 1024;

	private RequestUploads() {
	}

	/**
	 * Sends {@code first} (options, when there are any), then the body in chunks made by {@code chunk}, then
	 * completes; stops early when the service has already failed. The returned iterator throws the call's status.
	 */
	public static <Q, R> Iterator<R> upload(InputStream body, Function<StreamObserver<R>, StreamObserver<Q>> call,
			List<Q> first, Function<ByteString, Q> chunk) throws IOException {
		Answers<Q, R> answers = new Answers<>();
		call.apply(answers);
		ClientCallStreamObserver<Q> requests = answers.requests;
		try {
			first.forEach(requests::onNext);
			byte[] buffer = new byte[CHUNK_SIZE];
			int n;
			while (answers.awaitReady() && (n = body.readNBytes(buffer, 0, buffer.length)) > 0) {
				requests.onNext(chunk.apply(ByteString.copyFrom(buffer, 0, n)));
			}
			if (!answers.isClosed()) {
				requests.onCompleted();
			}
		}
		catch (IOException | RuntimeException ex) {
			requests.cancel("the client's upload failed", ex);
			throw ex;
		}
		return answers;
	}

	/** Queues the service's answers for the request thread, and tells it when the call can take another chunk. */
	private static final class Answers<Q, R> implements ClientResponseObserver<Q, R>, Iterator<R> {

		// a marker for the end of the stream; a Status for its failure
		private static final Object END = new Object();

		private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

		private final Object readiness = new Object();

		private volatile boolean closed;

		private ClientCallStreamObserver<Q> requests;

		private Object next;

		@Override
		public void beforeStart(ClientCallStreamObserver<Q> requests) {
			this.requests = requests;
			requests.setOnReadyHandler(this::signal);
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

}
