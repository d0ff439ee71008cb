package dev.berth.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's Distribution registry ({@code /usr/bin/docker-registry}) on a free loopback port over plain HTTP, with
 * images from {@code scripts/registry-fixtures.sh} pushed into it by skopeo: the gateway's tests pull real images
 * without Docker Hub and without Berth's own code making them.
 */
public final class LocalRegistry implements AutoCloseable {

	// it binds port 0 and logs what it got, so no other process can take a port chosen in advance
	private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

	private static final Pattern LAYER_DIGEST = Pattern.compile("\"digest\"\\s*:\\s*\"sha256:([0-9a-f]{64})\"");

	private final Path directory;

	private final Process process;

	private final int port;

	private LocalRegistry(Path directory, Process process, int port) {
		this.directory = directory;
		this.process = process;
		this.port = port;
	}

	public static LocalRegistry start() throws IOException, InterruptedException {
		Path directory = Files.createTempDirectory("berth-gateway-registry-");
		Path config = Files.writeString(directory.resolve("config.yml"), """
				version: 0.1
				log:
				  level: info
				storage:
				  filesystem:
				    rootdirectory: %s
				  delete:
				    enabled: true
				http:
				  addr: 127.0.0.1:0
				""".formatted(directory.resolve("storage")));
		Path log = directory.resolve("registry.log");
		Process process = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (System.nanoTime() < deadline && process.isAlive()) {
			Matcher listening = LISTENING.matcher(Files.readString(log));
			if (listening.find()) {
				return new LocalRegistry(directory, process, Integer.parseInt(listening.group(1)));
			}
			Thread.sleep(20);
		}
		process.destroyForcibly().waitFor();
		String output = Files.readString(log);
		Commands.deleteRecursively(directory);
		throw new IllegalStateException("the registry did not start:\n" + output);
	}

	/** {@code 127.0.0.1:<port>/<repoAndTag>}. */
	public String reference(String repoAndTag) {
		return "127.0.0.1:" + this.port + "/" + repoAndTag;
	}

	/** Pushes a fixture of the script ({@code busybox}, {@code layered}) as {@code repoAndTag}, in Docker's schema 2. */
	public void push(String fixture, String repoAndTag) {
		Path fixtures = Commands.repositoryRoot().resolve("api-gateway/target/registry-fixtures");
		Commands.ok(Commands.repositoryRoot().resolve("scripts/registry-fixtures.sh").toString(), fixtures.toString());
		Commands.ok("skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "--dest-no-creds",
				"--format", "v2s2", "oci:" + fixtures.resolve(fixture) + ":latest", "docker://" + reference(repoAndTag));
	}

	/**
	 * Changes a byte in the gzip header of every layer blob of {@code repoAndTag} as the registry stores it, so that it
	 * still arrives in full, then fails its digest check: a pull that fails after its progress has begun.
	 */
	public void corruptLayers(String repoAndTag) throws IOException {
		String manifest = Commands.ok("skopeo", "inspect", "--raw", "--tls-verify=false", "--no-creds",
				"docker://" + reference(repoAndTag));
		Matcher layer = LAYER_DIGEST.matcher(manifest.substring(manifest.indexOf("\"layers\"")));
		while (layer.find()) {
			String hex = layer.group(1);
			Path blob = this.directory.resolve("storage/docker/registry/v2/blobs/sha256")
				.resolve(hex.substring(0, 2))
				.resolve(hex)
				.resolve("data");
			byte[] bytes = Files.readAllBytes(blob);
			// byte 4 is in the gzip header's modification time, which no decompressor checks
			bytes[4] = (byte) ~bytes[4];
			Files.write(blob, bytes);
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		this.process.waitFor();
		try {
			Commands.deleteRecursively(this.directory);
		}
		catch (UncheckedIOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
