package dev.berth.gateway.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.ListRequest;

/**
 * The real engine-service, run from the jar the build made ({@code engine-service/target}, packaged before this
 * module's tests in the reactor), on a free loopback port with a data root of its own that {@link #close()} removes.
 */
public final class EngineProcess implements AutoCloseable {

	private final Path directory;

	private final Process process;

	private final int port;

	private EngineProcess(Path directory, Process process, int port) {
		this.directory = directory;
		this.process = process;
		this.port = port;
	}

	public static EngineProcess start() throws IOException, InterruptedException {
		Path jar = engineJar();
		Path directory = Files.createTempDirectory("berth-gateway-engine-");
		int port = freePort();
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-XX:+UseSerialGC", "-jar", jar.toString(),
				"--berth.data-root=" + directory.resolve("data"), "--spring.grpc.server.port=" + port,
				"--spring.grpc.server.address=127.0.0.1")
			.redirectErrorStream(true)
			.redirectOutput(directory.resolve("engine.log").toFile())
			.start();
		EngineProcess engine = new EngineProcess(directory, process, port);
		try {
			engine.awaitReady();
			return engine;
		}
		catch (RuntimeException | InterruptedException ex) {
			engine.close();
			throw ex;
		}
	}

	/** Where the gateway finds it: {@code 127.0.0.1:<port>}. */
	public String address() {
		return "127.0.0.1:" + this.port;
	}

	private void awaitReady() throws InterruptedException, IOException {
		ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", this.port).usePlaintext().build();
		try {
			long deadline = System.nanoTime() + 90_000_000_000L;
			while (true) {
				try {
					ImageServiceGrpc.newBlockingStub(channel).list(ListRequest.getDefaultInstance());
					return;
				}
				catch (RuntimeException ex) {
					if (!this.process.isAlive() || System.nanoTime() > deadline) {
						throw new IllegalStateException("engine-service did not come up:\n"
								+ Files.readString(this.directory.resolve("engine.log")), ex);
					}
					Thread.sleep(200);
				}
			}
		}
		finally {
			channel.shutdownNow();
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		this.process.waitFor();
		Commands.deleteRecursively(this.directory);
	}

	private static Path engineJar() throws IOException {
		Path target = Commands.repositoryRoot().resolve("engine-service/target");
		List<Path> jars;
		try (Stream<Path> files = Files.list(target)) {
			jars = files.filter((f) -> f.getFileName().toString().matches("engine-service-.*-SNAPSHOT\\.jar")).toList();
		}
		catch (java.nio.file.NoSuchFileException ex) {
			jars = List.of();
		}
		if (jars.size() != 1) {
			throw new IllegalStateException("expected one engine-service jar in " + target
					+ " (mvn package builds it before this module's tests), found " + jars);
		}
		return jars.get(0);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
