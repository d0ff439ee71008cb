package dev.berth.gateway.api;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpHeaders;

import dev.berth.contracts.lifecycle.v1.Output;
import dev.berth.contracts.lifecycle.v1.StreamHeader;

/**
 * Attach and exec start: a process's stdin, stdout and stderr over the client's own connection, carried to and from
 * a bidirectional gRPC call. The call is opened first, and nothing is answered until the service's first message
 * says the attachment is in place: a refusal (no such container) is still an ordinary error response, and output
 * from a start the client sends next cannot be missed. Then a client that asked for {@code Upgrade: tcp} gets
 * {@code 101} and the raw connection, as dockerd hijacks it; one that did not gets {@code 200} with the same bytes
 * and the connection closed at the end. Bytes from the client become stdin; its half-close closes stdin; the
 * connection closes when the service ends the stream (the process exited, or the detach keys were typed).
 */
public final class HijackedStreams<Q, R> {

	private static final Log logger = LogFactory.getLog(HijackedStreams.class);

	private static final int STDIN_CHUNK_SIZE = 32 * 1024;

	private final StreamingCall<Q, R> call;

	private final Context.CancellableContext context;

	private final Messages<Q, R> messages;

	private final boolean tty;

	private HijackedStreams(StreamingCall<Q, R> call, Context.CancellableContext context, Messages<Q, R> messages,
			boolean tty) {
		this.call = call;
		this.context = context;
		this.messages = messages;
		this.tty = tty;
	}

	/**
	 * How one RPC carries a hijacked connection: requests made of stdin bytes and of its end, answers that are the
	 * stream header (tty or not) or output.
	 *
	 * @param stdin a request carrying bytes the client sent
	 * @param closeStdin the request that says the client will send no more
	 * @param header the stream header an answer holds, or {@code null}
	 * @param output the output an answer holds, or {@code null}
	 */
	public record Messages<Q, R>(Function<ByteString, Q> stdin, Q closeStdin, Function<R, StreamHeader> header,
			Function<R, Output> output) {
	}

	/**
	 * Opens the call, sends {@code first} and waits for the service's first answer, which must be the stream header.
	 * A service that refuses fails here with its status, before anything was written to the client.
	 */
	public static <Q, R> HijackedStreams<Q, R> open(Function<StreamObserver<R>, StreamObserver<Q>> rpc, Q first,
			Messages<Q, R> messages) {
		StreamingCall<Q, R> call = new StreamingCall<>();
		Context.CancellableContext context = Context.current().withCancellation();
		try {
			context.run(() -> rpc.apply(call));
			call.send(first);
			if (!call.hasNext()) {
				throw Status.INTERNAL.withDescription("the service ended the stream without answering")
					.asRuntimeException();
			}
			StreamHeader header = messages.header().apply(call.next());
			if (header == null) {
				throw Status.INTERNAL.withDescription("the service's first answer was not the stream header")
					.asRuntimeException();
			}
			return new HijackedStreams<>(call, context, messages, header.getTty());
		}
		catch (RuntimeException ex) {
			call.finish("the attachment failed");
			context.cancel(null);
			throw ex;
		}
	}

	public boolean tty() {
		return this.tty;
	}

	/** Waits for the service to end the stream without reading output (a detached exec). */
	public void drain() {
		try {
			while (this.call.hasNext()) {
				this.call.next();
			}
		}
		finally {
			close();
		}
	}

	/** Answers the client and carries bytes both ways until the service ends the stream. */
	public void serve(HttpServletRequest request, HttpServletResponse response, String apiVersion)
			throws IOException, ServletException {
		// dockerd hijacks whenever the header is there, whatever its value
		if (request.getHeader(HttpHeaders.UPGRADE) != null) {
			response.setContentType(RawStreams.contentType(this.tty, apiVersion));
			response.setHeader(HttpHeaders.CONNECTION, "Upgrade");
			response.setHeader(HttpHeaders.UPGRADE, "tcp");
			// Tomcat sends the 101 when this request returns, then hands the connection to the handler
			request.upgrade(HijackedConnection.class).hijackedBy(this);
			return;
		}
		response.setStatus(HttpServletResponse.SC_OK);
		// dockerd's answer without an upgrade: the raw type, framed or not, and the end of the body is the end of
		// the connection (Tomcat writes neither a length nor chunks when the response says it closes)
		response.setContentType(RawStreams.RAW);
		response.setHeader(HttpHeaders.CONNECTION, "close");
		pump(request.getInputStream(), response.getOutputStream());
	}

	/**
	 * Carries stdin from {@code client} on a thread of its own and output to {@code toClient} on this one, until the
	 * service ends the stream, the call fails, or the client goes away.
	 */
	void pump(InputStream client, OutputStream toClient) {
		Thread stdin = Thread.ofVirtual().name("stdin").start(() -> forwardStdin(client));
		try {
			toClient.flush();
			while (this.call.hasNext()) {
				Output output = this.messages.output().apply(this.call.next());
				if (output != null) {
					RawStreams.write(toClient, this.tty, output.getStream(), output.getData().toByteArray());
					// a prompt or a keystroke's echo must reach the terminal now, not when a buffer fills
					toClient.flush();
				}
			}
		}
		catch (StatusRuntimeException ex) {
			// after the first answer there is no response left to carry an error: the connection just ends
			logger.debug("an attached stream failed: " + ex.getStatus());
		}
		catch (IOException ex) {
			logger.debug("the attached client went away: " + ex);
		}
		finally {
			close();
			stdin.interrupt();
		}
	}

	private void forwardStdin(InputStream client) {
		byte[] buffer = new byte[STDIN_CHUNK_SIZE];
		try {
			int n;
			while ((n = client.read(buffer)) >= 0) {
				if (n > 0 && !this.call.send(this.messages.stdin().apply(ByteString.copyFrom(buffer, 0, n)))) {
					return;
				}
			}
		}
		catch (EOFException ex) {
			// Tomcat's blocking read reports the end of the client's side this way rather than as -1
		}
		catch (IOException | RuntimeException ex) {
			// the connection is closing, or the call ended: the output side sees it and finishes
			logger.trace("stdin ended: " + ex);
			return;
		}
		// the client half-closed its side: stdin ends, output keeps flowing
		this.call.send(this.messages.closeStdin());
	}

	private void close() {
		this.call.finish("the client went away");
		this.context.cancel(null);
	}

}
