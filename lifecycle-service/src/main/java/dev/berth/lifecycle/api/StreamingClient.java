package dev.berth.lifecycle.api;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import dev.berth.contracts.lifecycle.v1.Output;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.contracts.lifecycle.v1.StreamHeader;
import dev.berth.lifecycle.task.AttachClient;

/**
 * An attach or exec session's answers on its gRPC stream. The header ("attached", "started") is
 * always the first answer, even when output arrives before the operation returns; output that
 * comes earlier waits for it.
 */
final class StreamingClient<R> implements AttachClient {

	private final ServerCallStreamObserver<R> responses;

	private final Function<StreamHeader, R> header;

	private final BiFunction<Stream, byte[], R> output;

	private final List<R> early = new ArrayList<>();

	private boolean ready;

	private boolean endedEarly;

	private boolean closed;

	StreamingClient(StreamObserver<R> responses, Function<StreamHeader, R> header, BiFunction<Stream, byte[], R> output) {
		this.responses = (ServerCallStreamObserver<R>) responses;
		this.header = header;
		this.output = output;
	}

	/** Sends the header, then whatever came before it. */
	synchronized void ready(boolean tty) {
		if (this.closed) {
			return;
		}
		this.ready = true;
		this.responses.onNext(this.header.apply(StreamHeader.newBuilder().setTty(tty).build()));
		this.early.forEach(this.responses::onNext);
		this.early.clear();
		if (this.endedEarly) {
			end();
		}
	}

	@Override
	public synchronized void output(Stream stream, byte[] data) {
		if (this.closed) {
			return;
		}
		R message = this.output.apply(stream, data);
		if (this.ready) {
			this.responses.onNext(message);
		}
		else {
			this.early.add(message);
		}
	}

	@Override
	public synchronized void end() {
		if (this.closed) {
			return;
		}
		if (!this.ready) {
			this.endedEarly = true;
			return;
		}
		this.closed = true;
		if (!this.responses.isCancelled()) {
			this.responses.onCompleted();
		}
	}

	@Override
	public synchronized void fail(Throwable error) {
		if (this.closed) {
			return;
		}
		this.closed = true;
		if (!this.responses.isCancelled()) {
			this.responses.onError(LifecycleErrors.toStatus(error));
		}
	}

	synchronized boolean cancelled() {
		return this.responses.isCancelled();
	}

	static Output frame(Stream stream, byte[] data) {
		return Output.newBuilder().setStream(stream).setData(com.google.protobuf.ByteString.copyFrom(data)).build();
	}

}
