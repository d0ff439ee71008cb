package dev.berth.gateway.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import io.grpc.stub.ClientCallStreamObserver;
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
		StreamingCall<Q, R> answers = new StreamingCall<>();
		call.apply(answers);
		ClientCallStreamObserver<Q> requests = answers.requests();
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

}
