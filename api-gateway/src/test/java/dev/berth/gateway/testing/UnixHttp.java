package dev.berth.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough HTTP/1.1 over a unix socket to see exactly what the gateway writes: one request per connection, the
 * status line, headers and the body (chunked bodies decoded) as they came.
 */
public final class UnixHttp {

	private final Path socket;

	public UnixHttp(Path socket) {
		this.socket = socket;
	}

	/** An answer: header names in lower case. */
	public record Response(int status, Map<String, String> headers, byte[] body) {

		public String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

	}

	public Response get(String path) throws IOException {
		return send("GET", path, Map.of(), new byte[0]);
	}

	public Response send(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
		try (Exchange exchange = open(method, path, headers, body)) {
			byte[] responseBody = method.equals("HEAD") ? new byte[0]
					: exchange.isChunked() ? dechunk(exchange.in()) : exchange.in().readAllBytes();
			return new Response(exchange.status(), exchange.headers(), responseBody);
		}
	}

	/**
	 * Sends a request and reads the status line and headers, leaving the connection open: for answers read as they
	 * come (a wait's body, a hijacked stream) and for writing to the connection afterwards.
	 */
	public Exchange open(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			channel.connect(UnixDomainSocketAddress.of(this.socket));
			OutputStream out = Channels.newOutputStream(channel);
			StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: docker\r\n");
			if (!headers.containsKey("Connection")) {
				request.append("Connection: close\r\n");
			}
			headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
			if (body.length > 0 || method.equals("POST")) {
				request.append("Content-Length: ").append(body.length).append("\r\n");
			}
			out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
			out.write(body);
			out.flush();
			InputStream in = Channels.newInputStream(channel);
			String statusLine = line(in);
			int status = Integer.parseInt(statusLine.split(" ")[1]);
			Map<String, String> responseHeaders = new LinkedHashMap<>();
			for (String header = line(in); !header.isEmpty(); header = line(in)) {
				int colon = header.indexOf(':');
				responseHeaders.put(header.substring(0, colon).toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
			}
			return new Exchange(channel, statusLine, status, responseHeaders, in, out);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	/** An open connection after the response's headers: {@code in} reads what follows them, byte for byte. */
	public record Exchange(SocketChannel channel, String statusLine, int status, Map<String, String> headers,
			InputStream in, OutputStream out) implements AutoCloseable {

		public boolean isChunked() {
			return "chunked".equalsIgnoreCase(this.headers.get("transfer-encoding"));
		}

		/** The next chunk of a chunked body, or {@code null} at its end. */
		public byte[] nextChunk() throws IOException {
			int size = Integer.parseInt(line(this.in).split(";")[0].strip(), 16);
			if (size == 0) {
				return null;
			}
			byte[] chunk = this.in.readNBytes(size);
			line(this.in);
			return chunk;
		}

		/** Half-closes the connection: the server reads the end of what the client sends, and may still write. */
		public void shutdownOutput() throws IOException {
			this.channel.shutdownOutput();
		}

		@Override
		public void close() throws IOException {
			this.channel.close();
		}

	}

	private static byte[] dechunk(InputStream in) throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		while (true) {
			int size = Integer.parseInt(line(in).split(";")[0].strip(), 16);
			if (size == 0) {
				return body.toByteArray();
			}
			body.write(in.readNBytes(size));
			line(in);
		}
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b < 0) {
				throw new IOException("the connection closed mid-line");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.ISO_8859_1);
	}

}
