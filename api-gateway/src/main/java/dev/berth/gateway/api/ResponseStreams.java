package dev.berth.gateway.api;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.function.Function;
import java.util.function.Supplier;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Streams a service's server-streaming answer to the client as it arrives. The status line goes out only with the
 * first event, so a call that fails at once (an unknown image) still becomes a proper error response through
 * {@link ApiErrors}. The call runs in a cancellable gRPC context that ends with the response: a client that goes
 * away stops the service's work.
 */
@Component
public class ResponseStreams {

	private final JsonMapper json;

	ResponseStreams(JsonMapper json) {
		this.json = json;
	}

	/**
	 * Docker's NDJSON: one {@link JsonMessage} per event ({@code null} from {@code toMessage} skips one); a failure
	 * after the first line becomes the stream's last line, with {@code errorDetail}, as dockerd writes it.
	 */
	public <T> void ndjson(HttpServletResponse response, Supplier<Iterator<T>> call, Function<T, JsonMessage> toMessage)
			throws IOException {
		flushed(response, MediaType.APPLICATION_JSON_VALUE, call, new AnswerWriter<>() {

			@Override
			public void write(T answer, OutputStream out) throws IOException {
				JsonMessage message = toMessage.apply(answer);
				if (message != null) {
					writeLine(out, message);
				}
			}

			@Override
			public void failed(String message, OutputStream out) throws IOException {
				writeLine(out, JsonMessage.error(message));
			}

		});
	}

	/**
	 * A stream that the client reads as it comes (logs, stats, events, wait): the status line goes out with the first
	 * answer, each answer is flushed as soon as it is written, so an answer that writes nothing still sends what
	 * came before it (the headers, for the first). The writer may change the content type while it handles the first
	 * answer. A failure after the first answer goes to {@link AnswerWriter#failed}.
	 */
	public <T> void flushed(HttpServletResponse response, String contentType, Supplier<Iterator<T>> call,
			AnswerWriter<T> writer) throws IOException {
		try (Context.CancellableContext context = Context.current().withCancellation()) {
			Iterator<T> answers = context.call(call::get);
			answers.hasNext(); // fails here, before anything is written, when the service refuses at once
			response.setStatus(HttpServletResponse.SC_OK);
			response.setContentType(contentType);
			OutputStream out = response.getOutputStream();
			try {
				while (answers.hasNext()) {
					writer.write(answers.next(), out);
					out.flush();
				}
			}
			catch (StatusRuntimeException ex) {
				writer.failed(ex.getStatus().getDescription(), out);
			}
		}
		catch (Exception ex) {
			throw rethrow(ex);
		}
	}

	/** Writes a stream's answers for {@link #flushed}. */
	public interface AnswerWriter<T> {

		void write(T answer, OutputStream out) throws IOException;

		/** The service failed after the status line went out: what the client reads about it, if anything. */
		default void failed(String message, OutputStream out) throws IOException {
		}

	}

	/**
	 * Raw bytes (a tar) of {@code contentType}. A failure after the first bytes cannot be reported in the body: the
	 * connection is dropped without the final chunk, so the client sees a truncated transfer, never a short tar that
	 * looks complete.
	 */
	public <T> void bytes(HttpServletResponse response, String contentType, Supplier<Iterator<T>> call,
			Function<T, byte[]> data) throws IOException {
		try (Context.CancellableContext context = Context.current().withCancellation()) {
			Iterator<T> chunks = context.call(call::get);
			chunks.hasNext();
			response.setStatus(HttpServletResponse.SC_OK);
			response.setContentType(contentType);
			OutputStream out = response.getOutputStream();
			try {
				while (chunks.hasNext()) {
					out.write(data.apply(chunks.next()));
				}
			}
			catch (StatusRuntimeException ex) {
				if (!response.isCommitted()) {
					// what was written is still in the buffer: drop it and answer with the error instead
					response.reset();
					throw ex;
				}
				throw new StreamAbortedException(ex.getStatus().getDescription(), ex);
			}
		}
		catch (Exception ex) {
			throw rethrow(ex);
		}
	}

	private void writeLine(OutputStream out, JsonMessage message) throws IOException {
		out.write(this.json.writeValueAsBytes(message));
		out.write('\n');
	}

	private static IOException rethrow(Exception ex) {
		if (ex instanceof IOException io) {
			return io;
		}
		if (ex instanceof RuntimeException runtime) {
			throw runtime;
		}
		throw new IllegalStateException(ex);
	}

	/**
	 * A stream that failed after its status line went out. It is an {@link IOException} so that {@link ApiErrors}
	 * (which handles runtime exceptions) leaves it alone and Tomcat, seeing a committed response fail, closes the
	 * connection instead of finishing the chunked body.
	 */
	static final class StreamAbortedException extends IOException {

		StreamAbortedException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
