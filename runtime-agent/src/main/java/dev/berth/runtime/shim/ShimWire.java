package dev.berth.runtime.shim;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;

/**
 * The shim's wire format on its unix socket. A connection opens with one JSON request line and
 * gets one JSON response line; {@code events} then streams event lines, and {@code attach} turns
 * the connection into frames of stdio: {@code [stream][0][0][0][length u32 BE][payload]} — the
 * shape of Docker's stdcopy, so the gateway can pass frames through. Stream 0 is stdin (client to
 * shim; a zero-length stdin frame closes stdin), 1 stdout, 2 stderr, 3 the exit of the process
 * (payload: its exit code as text) after which the shim closes the connection.
 */
public final class ShimWire {

	public static final int STDIN = 0;

	public static final int STDOUT = 1;

	public static final int STDERR = 2;

	public static final int EXIT = 3;

	/** Requests are small; this caps what a confused client can make the shim buffer. */
	static final int MAX_LINE = 8 << 20;

	private ShimWire() {
	}

	public static void writeLine(SocketChannel channel, Map<String, Object> message) throws IOException {
		writeFully(channel, line(message));
	}

	/** One message as the line {@link #writeLine} sends. */
	static ByteBuffer line(Map<String, Object> message) {
		return ByteBuffer.wrap((Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8));
	}

	/** Reads one line byte by byte, so nothing after it (frames) is consumed. */
	public static JsonObject readLine(SocketChannel channel) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		ByteBuffer one = ByteBuffer.allocate(1);
		while (true) {
			one.clear();
			if (channel.read(one) < 0) {
				if (line.size() == 0) {
					throw new EOFException("connection closed");
				}
				break;
			}
			byte b = one.get(0);
			if (b == '\n') {
				break;
			}
			line.write(b);
			if (line.size() > MAX_LINE) {
				throw new IOException("message longer than " + MAX_LINE + " bytes");
			}
		}
		return JsonObject.parse(line.toString(StandardCharsets.UTF_8));
	}

	/**
	 * Reads a whole response: the shim closes a call's connection once it has answered, so the
	 * client reads to the end in large reads rather than a byte at a time.
	 */
	static JsonObject readResponse(SocketChannel channel) throws IOException {
		ByteArrayOutputStream response = new ByteArrayOutputStream();
		ByteBuffer buffer = ByteBuffer.allocate(8192);
		while (channel.read(buffer) >= 0) {
			response.write(buffer.array(), 0, buffer.position());
			buffer.clear();
			if (response.size() > MAX_LINE) {
				throw new IOException("response longer than " + MAX_LINE + " bytes");
			}
		}
		if (response.size() == 0) {
			throw new EOFException("connection closed");
		}
		return JsonObject.parse(response.toString(StandardCharsets.UTF_8).trim());
	}

	public static ByteBuffer frame(int stream, byte[] data, int offset, int length) {
		ByteBuffer frame = ByteBuffer.allocate(8 + length);
		frame.put((byte) stream).put((byte) 0).put((byte) 0).put((byte) 0).putInt(length);
		frame.put(data, offset, length).flip();
		return frame;
	}

	/** Reads one frame; null at the end of the connection. */
	public static Frame readFrame(SocketChannel channel) throws IOException {
		ByteBuffer header = ByteBuffer.allocate(8);
		if (!readFully(channel, header)) {
			return null;
		}
		int length = header.getInt(4);
		if (length < 0 || length > MAX_LINE) {
			throw new IOException("bad frame length " + length);
		}
		ByteBuffer payload = ByteBuffer.allocate(length);
		if (length > 0 && !readFully(channel, payload)) {
			return null;
		}
		return new Frame(header.get(0), payload.array());
	}

	static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
		while (buffer.hasRemaining()) {
			channel.write(buffer);
		}
	}

	private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
		while (buffer.hasRemaining()) {
			if (channel.read(buffer) < 0) {
				return false;
			}
		}
		return true;
	}

	public record Frame(int stream, byte[] data) {
	}

}
