package dev.berth.engine.image;

import java.io.IOException;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import dev.berth.contracts.stream.ChunkInputStream;
import dev.berth.engine.EngineErrors;

/**
 * A client stream whose first message holds the options and every later one the next bytes of a
 * body (docker import's root filesystem, docker commit's layer). Options that cannot be read fail
 * the call before the body is asked for; then the work runs on a virtual thread of its own,
 * reading the body as a {@link ChunkInputStream}, only as fast as it takes it.
 *
 * @param <M> the request message
 * @param <O> the options, as the work takes them
 */
final class OptionsFirstStream<M, O> implements StreamObserver<M> {

	/** What runs once the options are known; it answers the call itself. */
	@FunctionalInterface
	interface Work<O> {

		void run(ChunkInputStream body, O options);

	}

	private final String operation;

	private final StreamObserver<?> responses;

	private final ChunkInputStream body;

	private final Function<M, O> options;

	private final Function<M, ByteString> data;

	private final Work<O> work;

	private boolean started;

	private boolean refused;

	/**
	 * To be made before the service method returns: it takes over the call's flow control.
	 *
	 * @param options a message's options, parsed; null for a message of data
	 * @param data a message's data
	 */
	OptionsFirstStream(String operation, ServerCallStreamObserver<?> call, Function<M, O> options,
			Function<M, ByteString> data, Work<O> work) {
		this.operation = operation;
		this.responses = call;
		this.options = options;
		this.data = data;
		this.work = work;
		this.body = new ChunkInputStream(call);
		call.setOnCancelHandler(() -> this.body.fail(new IOException("the client cancelled the " + operation)));
		this.body.requestNext();
	}

	@Override
	public void onNext(M message) {
		if (this.refused) {
			return;
		}
		O options;
		try {
			options = this.options.apply(message);
		}
		catch (RuntimeException ex) {
			refuse(ex);
			return;
		}
		if (!this.started) {
			if (options == null) {
				refuse(new IllegalArgumentException("the first message of " + withArticle() + " must hold its options"));
				return;
			}
			this.started = true;
			Thread.ofVirtual().name("image-" + this.operation).start(() -> this.work.run(this.body, options));
			this.body.requestNext();
			return;
		}
		if (options != null) {
			this.body.fail(new IllegalArgumentException(this.operation + " options may only come in the first message"));
			return;
		}
		this.body.add(this.data.apply(message));
	}

	@Override
	public void onError(Throwable cause) {
		this.body.fail(cause);
	}

	@Override
	public void onCompleted() {
		if (!this.started && !this.refused) {
			refuse(new IllegalArgumentException(withArticle() + " needs its options"));
		}
		this.body.end();
	}

	/** "an import", "a commit". */
	private String withArticle() {
		return ("aeiou".indexOf(this.operation.charAt(0)) >= 0 ? "an " : "a ") + this.operation;
	}

	/** Before the work started: the call fails at once, and what the client still sends is dropped. */
	private void refuse(RuntimeException ex) {
		if (this.started) {
			this.body.fail(ex);
			return;
		}
		this.refused = true;
		this.responses.onError(EngineErrors.toStatus(ex));
	}

}
