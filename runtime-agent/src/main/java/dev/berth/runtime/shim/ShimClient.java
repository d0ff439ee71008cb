package dev.berth.runtime.shim;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import dev.berth.runtime.spec.JsonObject;

/** The agent's side of the shim's socket: calls, the event stream, and attach sessions. */
public final class ShimClient {

	private final Path socket;

	public ShimClient(Path socket) {
		this.socket = socket;
	}

	public Path socket() {
		return this.socket;
	}

	/**
	 * One request, one response. Returns the {@code result} value (a map, list or null); a refusal
	 * comes back as {@link ShimException} of the shim's kind.
	 */
	public Object call(Map<String, Object> request) {
		return call(request, (open) -> {
		});
	}

	/**
	 * As {@link #call(Map)}, handing the connection to {@code onOpen} first: closing it from another
	 * thread aborts a call that waits (a {@code wait} for an exit that no longer matters).
	 */
	public Object call(Map<String, Object> request, Consumer<Closeable> onOpen) {
		try (SocketChannel channel = connect()) {
			onOpen.accept(channel);
			ShimWire.writeLine(channel, request);
			return result(ShimWire.readResponse(channel));
		}
		catch (IOException ex) {
			throw new ShimException(ShimException.Kind.FAILED, "shim at " + this.socket + ": " + ex.getMessage());
		}
	}

	@SuppressWarnings("unchecked")
	public JsonObject callForObject(Map<String, Object> request) {
		Object result = call(request);
		return new JsonObject("", (result instanceof Map<?, ?> map) ? (Map<String, Object>) map : Map.of());
	}

	public boolean isServing() {
		try (SocketChannel channel = connect()) {
			ShimWire.writeLine(channel, Map.of("op", "ping"));
			return ShimWire.readResponse(channel).bool("ok", false);
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	/** Delivers events to {@code listener} until the connection ends; blocks the calling thread. */
	public void events(Consumer<JsonObject> listener, Consumer<Closeable> onOpen) throws IOException {
		try (SocketChannel channel = connect()) {
			ShimWire.writeLine(channel, Map.of("op", "events"));
			result(ShimWire.readLine(channel));
			onOpen.accept(channel);
			while (true) {
				listener.accept(ShimWire.readLine(channel));
			}
		}
		catch (java.io.EOFException | java.nio.channels.ClosedChannelException ex) {
			// the stream ended
		}
	}

	public Session attach(String id, String execId, boolean stdin, boolean stdout, boolean stderr) throws IOException {
		SocketChannel channel = connect();
		try {
			ShimWire.writeLine(channel, Map.of("op", "attach", "id", id, "execId", execId, "stdin", stdin, "stdout",
					stdout, "stderr", stderr));
			result(ShimWire.readLine(channel));
			return new Session(channel);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	private SocketChannel connect() throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			channel.connect(UnixDomainSocketAddress.of(this.socket));
		}
		catch (IOException ex) {
			channel.close();
			throw ex;
		}
		return channel;
	}

	private static Object result(JsonObject response) {
		if (!response.bool("ok", false)) {
			ShimException.Kind kind;
			try {
				kind = ShimException.Kind.valueOf(response.string("kind", "FAILED"));
			}
			catch (IllegalArgumentException ex) {
				kind = ShimException.Kind.FAILED;
			}
			throw new ShimException(kind, response.string("error", "the shim refused the request"));
		}
		return response.fields().get("result");
	}

	/** An attached process: stdin goes in, stdio frames (and at last the exit) come out. */
	public static final class Session implements Closeable {

		private final SocketChannel channel;

		Session(SocketChannel channel) {
			this.channel = channel;
		}

		public synchronized void writeStdin(byte[] data) throws IOException {
			if (data.length > 0) {
				ShimWire.writeFully(this.channel, ShimWire.frame(ShimWire.STDIN, data, 0, data.length));
			}
		}

		public synchronized void closeStdin() throws IOException {
			ShimWire.writeFully(this.channel, ShimWire.frame(ShimWire.STDIN, new byte[0], 0, 0));
		}

		/** The next frame, or null when the shim closed the session. */
		public ShimWire.Frame read() throws IOException {
			return ShimWire.readFrame(this.channel);
		}

		@Override
		public void close() throws IOException {
			this.channel.close();
		}

	}

}
