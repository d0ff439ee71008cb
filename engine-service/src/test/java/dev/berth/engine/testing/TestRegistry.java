package dev.berth.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real registry for the image tests: Distribution 2.8 ({@code /usr/bin/docker-registry}, Debian's docker-registry)
 * on a free loopback port over plain HTTP, storing in a temporary directory that {@link #close()} removes along with
 * the process. Images get into it with skopeo ({@link #push}), never through Berth's own code.
 * <pre>
 * try (TestRegistry registry = TestRegistry.start(Auth.TOKEN)) {
 *     registry.push(Fixtures.BUSYBOX, "library/busybox:latest", Format.DOCKER_SCHEMA2);
 *     // pull registry.reference("library/busybox:latest") with Berth
 * }
 * </pre>
 */
public final class TestRegistry implements AutoCloseable {

	/** How the registry wants clients to authenticate. */
	public enum Auth {

		/** Not at all: every request is served. */
		NONE,

		/** HTTP basic against an htpasswd (bcrypt) file that holds {@link #USERNAME} with {@link #PASSWORD}. */
		BASIC,

		/** Bearer tokens from the registry's {@link TokenServer}, which takes {@link #USERNAME} with {@link #PASSWORD}. */
		TOKEN

	}

	/** The manifest format that {@link #push} writes. */
	public enum Format {

		/** OCI manifests and indexes: the layout's own bytes, digests preserved. */
		OCI,

		/** Docker's schema 2 manifests and manifest lists, converted by skopeo; zstd layers cannot be converted. */
		DOCKER_SCHEMA2

	}

	/** The one user of {@link Auth#BASIC} and {@link Auth#TOKEN}; it may push and pull everything. */
	public static final String USERNAME = "berth";

	public static final String PASSWORD = "berth-test-password";

	/** The realm of the registry's basic challenge. */
	public static final String BASIC_REALM = "berth-test-registry";

	/** The service that the token challenge names and that tokens are issued for ({@code aud}). */
	public static final String SERVICE = "berth-test-registry";

	/** The issuer ({@code iss}) of the tokens, and the subject of the token server's certificate. */
	public static final String ISSUER = "berth-test-token-server";

	private static final Path REGISTRY = Path.of("/usr/bin/docker-registry");

	private static final String LOG = "registry.log";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

	// The registry binds port 0 and logs the port it got: no window for another process to take a port we chose.
	private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

	private final Auth auth;

	private final Path directory;

	private final Process process;

	private final int port;

	private final TokenServer tokenServer;

	private final Thread shutdownHook = new Thread(this::stop);

	private TestRegistry(Auth auth, Path directory, Process process, int port, TokenServer tokenServer) {
		this.auth = auth;
		this.directory = directory;
		this.process = process;
		this.port = port;
		this.tokenServer = tokenServer;
		// a test run that dies without closing must still not leave a registry behind
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
	}

	/** Starts a registry, once it answers {@code GET /v2/}. */
	public static TestRegistry start(Auth auth) {
		Path directory;
		try {
			directory = Files.createTempDirectory("berth-registry-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		TokenServer tokenServer = null;
		Process process = null;
		boolean started = false;
		try {
			tokenServer = (auth == Auth.TOKEN) ? TokenServer.start(directory.resolve("token.crt")) : null;
			if (auth == Auth.BASIC) {
				// bcrypt's least cost: the registry checks the password on every request
				Files.write(directory.resolve("htpasswd"),
						Processes.run(List.of("htpasswd", "-nbB", "-C", "4", USERNAME, PASSWORD)));
			}
			Path config = Files.writeString(directory.resolve("config.yml"), config(auth, directory, tokenServer));
			Path log = directory.resolve(LOG);
			process = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString()).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			int port = awaitPort(process, log);
			awaitV2(process, port);
			TestRegistry registry = new TestRegistry(auth, directory, process, port, tokenServer);
			started = true;
			return registry;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			if (!started) {
				if (process != null) {
					process.destroyForcibly();
				}
				if (tokenServer != null) {
					tokenServer.close();
				}
				deleteRecursively(directory);
			}
		}
	}

	/** Where the registry answers: {@code http://127.0.0.1:<port>}. */
	public URI uri() {
		return URI.create("http://" + host());
	}

	/** The registry's host and port, as image references name it. */
	public String host() {
		return "127.0.0.1:" + this.port;
	}

	/** The image reference of {@code repoAndTag} in this registry: {@code 127.0.0.1:<port>/<repoAndTag>}. */
	public String reference(String repoAndTag) {
		return host() + "/" + repoAndTag;
	}

	public Auth auth() {
		return this.auth;
	}

	/** The token server of an {@link Auth#TOKEN} registry. */
	public TokenServer tokenServer() {
		if (this.tokenServer == null) {
			throw new IllegalStateException("a registry with " + this.auth + " auth has no token server");
		}
		return this.tokenServer;
	}

	/** The registry's log, access log included: read it when a test fails. */
	public Path logFile() {
		return this.directory.resolve(LOG);
	}

	/** The value of an {@code Authorization} header carrying {@link #USERNAME} and {@link #PASSWORD}. */
	public static String basicAuthorization() {
		return basicAuthorization(USERNAME, PASSWORD);
	}

	static String basicAuthorization(String username, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Pushes a fixture (see {@link Fixtures}) as {@code repoAndTag} ({@code "library/busybox:1.36"}), every platform of an
	 * index included, with skopeo as {@link #USERNAME} if the registry wants credentials.
	 */
	public void push(String fixtureName, String repoAndTag, Format format) {
		List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet", "--all",
				"--dest-tls-verify=false", "--format", (format == Format.OCI) ? "oci" : "v2s2"));
		if (format == Format.OCI) {
			// without it skopeo may recompress layers, and a zstd fixture would arrive as gzip
			command.add("--preserve-digests");
		}
		command.addAll(credentials("--dest-"));
		command.add("oci:" + Fixtures.layout(fixtureName) + ":" + Fixtures.TAG);
		command.add("docker://" + reference(repoAndTag));
		Processes.run(command);
	}

	/** The manifest (or index, or list) that {@code repoAndTag} names, as the registry stores it. */
	public byte[] manifest(String repoAndTag) {
		List<String> command = new ArrayList<>(List.of("skopeo", "inspect", "--raw", "--tls-verify=false"));
		command.addAll(credentials("--"));
		command.add("docker://" + reference(repoAndTag));
		return Processes.run(command);
	}

	/** The digest ({@code sha256:<hex>}) of the manifest that {@code repoAndTag} names. */
	public String manifestDigest(String repoAndTag) {
		return sha256(manifest(repoAndTag));
	}

	/**
	 * Changes one byte of the stored blob {@code digest} in place, so that the registry serves bytes that no longer match
	 * their digest, with the same length. In a gzip blob the byte is in the header's modification time, which no
	 * decompressor checks: the layer still unpacks, and only a client that verifies the digest notices. Elsewhere it is
	 * the last byte.
	 */
	public void corruptBlob(String digest) {
		if (!digest.matches("sha256:[0-9a-f]{64}")) {
			throw new IllegalArgumentException("not a sha256 digest: " + digest);
		}
		String hex = digest.substring("sha256:".length());
		Path data = this.directory.resolve("storage/docker/registry/v2/blobs/sha256")
			.resolve(hex.substring(0, 2))
			.resolve(hex)
			.resolve("data");
		try (FileChannel channel = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			ByteBuffer magic = ByteBuffer.allocate(3);
			channel.read(magic, 0);
			boolean gzip = magic.array()[0] == (byte) 0x1f && magic.array()[1] == (byte) 0x8b && magic.array()[2] == 8;
			long position = gzip ? 4 : channel.size() - 1;
			ByteBuffer b = ByteBuffer.allocate(1);
			channel.read(b, position);
			b.put(0, (byte) ~b.get(0)).rewind();
			channel.write(b, position);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot corrupt blob " + digest + " at " + data, ex);
		}
	}

	/** Stops the registry (and its token server) and deletes its storage and log; once. */
	@Override
	public void close() {
		try {
			if (!Runtime.getRuntime().removeShutdownHook(this.shutdownHook)) {
				return;
			}
		}
		catch (IllegalStateException ex) {
			// the JVM is shutting down and the hook runs anyway
			return;
		}
		stop();
	}

	private void stop() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor();
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
		if (this.tokenServer != null) {
			this.tokenServer.close();
		}
		deleteRecursively(this.directory);
	}

	private List<String> credentials(String flagPrefix) {
		return (this.auth == Auth.NONE) ? List.of(flagPrefix + "no-creds")
				: List.of(flagPrefix + "creds", USERNAME + ":" + PASSWORD);
	}

	private static String config(Auth auth, Path directory, TokenServer tokenServer) {
		String authSection = switch (auth) {
			case NONE -> "";
			case BASIC -> """
					auth:
					  htpasswd:
					    realm: %s
					    path: %s
					""".formatted(BASIC_REALM, directory.resolve("htpasswd"));
			case TOKEN -> """
					auth:
					  token:
					    realm: %s
					    service: %s
					    issuer: %s
					    rootcertbundle: %s
					""".formatted(tokenServer.realm(), SERVICE, ISSUER, directory.resolve("token.crt"));
		};
		// upload purging would only start a timer; the http secret silences the warning of a generated one
		return """
				version: 0.1
				log:
				  level: info
				storage:
				  filesystem:
				    rootdirectory: %s
				  delete:
				    enabled: true
				  maintenance:
				    uploadpurging:
				      enabled: false
				http:
				  addr: 127.0.0.1:0
				  secret: %s
				""".formatted(directory.resolve("storage"), UUID.randomUUID()) + authSection;
	}

	private static int awaitPort(Process process, Path log) throws IOException {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			Matcher listening = LISTENING.matcher(Files.readString(log));
			if (listening.find()) {
				return Integer.parseInt(listening.group(1));
			}
			if (!process.isAlive()) {
				throw new IllegalStateException(
						"the registry exited with " + process.exitValue() + ":\n" + Files.readString(log));
			}
			sleep(Duration.ofMillis(10));
		}
		throw new IllegalStateException("the registry did not say where it listens within " + START_TIMEOUT + ":\n"
				+ Files.readString(log));
	}

	// The port is bound once the registry logs it, but its handlers may not be set up yet.
	private static void awaitV2(Process process, int port) throws IOException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
			.timeout(Duration.ofSeconds(1))
			.build();
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
			while (process.isAlive() && System.nanoTime() < deadline) {
				try {
					int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
					if (status == 200 || status == 401) {
						return;
					}
				}
				catch (IOException ex) {
					// not answering yet
				}
				sleep(Duration.ofMillis(10));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		throw new IllegalStateException("the registry on port " + port + " does not answer GET /v2/");
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while starting the registry", ex);
		}
	}

	static String sha256(byte[] bytes) {
		try {
			return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void deleteRecursively(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot delete " + directory, ex);
		}
	}

}
