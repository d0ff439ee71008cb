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
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(this.socket));
			OutputStream out = Channels.newOutputStream(channel);
			StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n");
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
			byte[] responseBody = method.equals("HEAD") ? new byte[0]
					: "chunked".equalsIgnoreCase(responseHeaders.get("transfer-encoding")) ? dechunk(in) : in.readAllBytes();
			return new Response(status, responseHeaders, responseBody);
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
