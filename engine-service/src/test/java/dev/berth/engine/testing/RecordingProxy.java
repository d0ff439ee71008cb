package dev.berth.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP proxy in front of a registry ({@link TestRegistry#uri()}): the client under test talks to {@link #uri()}
 * instead, and every request is forwarded as it came (method, path and query, headers with {@code Authorization} and
 * {@code Range}, body), its answer returned as it came (redirects and 206s included) and streamed, never buffered.
 * Each exchange is recorded, so that tests can say what was fetched, how much, and what overlapped. One fault can be
 * armed: {@link #cutNextGet} breaks the connection in the middle of a body, {@link #stallNextGet} stops sending first.
 * <p>
 * {@code X-Forwarded-Host} tells the registry where its client is, so the upload {@code Location}s it builds lead
 * back through the proxy.
 */
public final class RecordingProxy implements AutoCloseable {

	/**
	 * One request and its answer.
	 * @param path the path, without the query
	 * @param query the raw query, or null
	 * @param status the registry's status (502 if it could not be reached)
	 * @param responseBytes the body bytes passed on to the client
	 * @param cut whether {@link #cutNextGet} broke this one
	 * @param started when the request arrived
	 * @param finished when the last byte was passed on (or the connection cut)
	 */
	public record Exchange(String method, String path, String query, HttpHeaders requestHeaders, int status,
			long responseBytes, boolean cut, Instant started, Instant finished) {

		/** Whether the two were in flight at the same time. */
		public boolean overlaps(Exchange other) {
			return this.started.isBefore(other.finished) && other.started.isBefore(this.finished);
		}

	}

	private record Fault(Pattern path, long bytes, java.time.Duration stall) {
	}

	private static final int SETTLE_SECONDS = 10;

	// Headers about one hop's connection, and those java.net.http sets itself and refuses to take.
	private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection", "te",
			"trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect");

	private final URI upstream;

	private final HttpServer server;

	private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	/** Guards itself and {@link #inFlight}. */
	private final List<Exchange> exchanges = new ArrayList<>();

	private int inFlight;

	private final AtomicReference<Fault> fault = new AtomicReference<>();

	private RecordingProxy(URI upstream, HttpServer server) {
		this.upstream = upstream;
		this.server = server;
		server.createContext("/", this::forward);
		server.setExecutor(this.executor);
		server.start();
	}

	/** Starts a proxy on a free loopback port in front of {@code upstream} ({@code http://host:port}). */
	public static RecordingProxy start(URI upstream) {
		try {
			return new RecordingProxy(upstream,
					HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Where clients talk to the proxy: {@code http://127.0.0.1:<port>}. */
	public URI uri() {
		return URI.create("http://" + host());
	}

	/** The proxy's host and port, as image references name it. */
	public String host() {
		return this.server.getAddress().getHostString() + ":" + this.server.getAddress().getPort();
	}

	/**
	 * The exchanges so far, in the order they finished. Those still in flight are waited for (up to
	 * {@value #SETTLE_SECONDS} s): a client has the last byte of a body before the proxy can record that it sent it.
	 */
	public List<Exchange> exchanges() {
		synchronized (this.exchanges) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
			long left;
			while (this.inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
				try {
					TimeUnit.NANOSECONDS.timedWait(this.exchanges, left);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
			return List.copyOf(this.exchanges);
		}
	}

	/** Forgets the exchanges recorded so far. */
	public void clear() {
		synchronized (this.exchanges) {
			this.exchanges.clear();
		}
	}

	/**
	 * Arms a one-shot fault: the next GET whose path has a match for {@code pathRegex} gets the registry's status and
	 * headers (its full {@code Content-Length} included) and the first {@code bytes} of the body, then the connection is
	 * closed. {@code bytes} should be less than the body, or nothing is missing.
	 */
	public void cutNextGet(String pathRegex, long bytes) {
		this.fault.set(new Fault(Pattern.compile(pathRegex), bytes, java.time.Duration.ZERO));
	}

	/**
	 * Like {@link #cutNextGet}, but after the first {@code bytes} the body stalls: nothing more is
	 * sent for {@code stall}, then the connection is closed. For clients that must notice a
	 * transfer that stopped moving.
	 */
	public void stallNextGet(String pathRegex, long bytes, java.time.Duration stall) {
		this.fault.set(new Fault(Pattern.compile(pathRegex), bytes, stall));
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.client.shutdownNow();
		this.executor.shutdownNow();
	}

	private void forward(HttpExchange exchange) throws IOException {
		Instant started = Instant.now();
		String method = exchange.getRequestMethod();
		String path = exchange.getRequestURI().getRawPath();
		String query = exchange.getRequestURI().getRawQuery();
		Fault fault = method.equals("GET") ? takeFault(path) : null;
		synchronized (this.exchanges) {
			this.inFlight++;
		}
		int status = 502;
		long written = 0;
		try (exchange) {
			HttpResponse<InputStream> response;
			try {
				response = this.client.send(upstreamRequest(exchange, path, query),
						HttpResponse.BodyHandlers.ofInputStream());
			}
			catch (IOException ex) {
				exchange.sendResponseHeaders(status, -1);
				return;
			}
			status = response.statusCode();
			try (InputStream body = response.body()) {
				Headers headers = exchange.getResponseHeaders();
				response.headers().map().forEach((name, values) -> {
					if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
						headers.put(name, values);
					}
				});
				OptionalLong length = response.headers().firstValueAsLong("Content-Length");
				if (method.equals("HEAD") && length.isPresent()) {
					// the server sends no body for HEAD and leaves a Content-Length set here alone
					headers.set("Content-Length", Long.toString(length.getAsLong()));
				}
				exchange.sendResponseHeaders(status, responseLength(method, status, length));
				OutputStream out = exchange.getResponseBody();
				long limit = (fault != null) ? fault.bytes() : Long.MAX_VALUE;
				byte[] buffer = new byte[64 * 1024];
				int n;
				while (written < limit && (n = body.read(buffer, 0, (int) Math.min(buffer.length, limit - written))) > 0) {
					out.write(buffer, 0, n);
					written += n;
				}
				if (fault != null) {
					out.flush();
					Thread.sleep(fault.stall().toMillis());
					// a handler that throws before its body is complete makes the server close the connection
					throw new IOException("connection cut after " + written + " bytes, as armed");
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
		finally {
			Exchange recorded = new Exchange(method, path, query,
					HttpHeaders.of(exchange.getRequestHeaders(), (name, value) -> true), status, written, fault != null,
					started, Instant.now());
			synchronized (this.exchanges) {
				this.exchanges.add(recorded);
				this.inFlight--;
				this.exchanges.notifyAll();
			}
		}
	}

	private Fault takeFault(String path) {
		Fault armed = this.fault.get();
		if (armed != null && armed.path().matcher(path).find() && this.fault.compareAndSet(armed, null)) {
			return armed;
		}
		return null;
	}

	private HttpRequest upstreamRequest(HttpExchange exchange, String path, String query) {
		String target = (query != null) ? path + "?" + query : path;
		HttpRequest.Builder request = HttpRequest.newBuilder(this.upstream.resolve(target));
		exchange.getRequestHeaders().forEach((name, values) -> {
			if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
				values.forEach((value) -> request.header(name, value));
			}
		});
		String host = exchange.getRequestHeaders().getFirst("Host");
		request.setHeader("X-Forwarded-Host", (host != null) ? host : host());
		request.setHeader("X-Forwarded-Proto", "http");
		return request.method(exchange.getRequestMethod(), requestBody(exchange)).build();
	}

	private static HttpRequest.BodyPublisher requestBody(HttpExchange exchange) {
		Headers headers = exchange.getRequestHeaders();
		String contentLength = headers.getFirst("Content-Length");
		HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody);
		if (contentLength != null) {
			long length = Long.parseLong(contentLength.trim());
			return (length == 0) ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.fromPublisher(stream, length);
		}
		// a chunked upload (a blob PATCH of unknown length) goes on chunked
		return headers.containsKey("Transfer-Encoding") ? stream : HttpRequest.BodyPublishers.noBody();
	}

	/** The length argument of {@link HttpExchange#sendResponseHeaders}: -1 for no body, 0 for chunked. */
	private static long responseLength(String method, int status, OptionalLong contentLength) {
		if (method.equals("HEAD") || status < 200 || status == 204 || status == 304) {
			return -1;
		}
		if (contentLength.isEmpty()) {
			return 0;
		}
		return (contentLength.getAsLong() == 0) ? -1 : contentLength.getAsLong();
	}

}
