package dev.berth.engine.content;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.berth.contracts.agent.v1.PrepareSnapshotRequest;
import dev.berth.contracts.agent.v1.PrepareSnapshotResponse;
import dev.berth.contracts.agent.v1.RemoveLayersRequest;
import dev.berth.contracts.agent.v1.RemoveSnapshotRequest;
import dev.berth.contracts.agent.v1.SnapshotLayer;
import dev.berth.contracts.agent.v1.SnapshotServiceGrpc;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.PullRequest;
import dev.berth.contracts.engine.v1.PullResponse;
import dev.berth.engine.testing.Fixtures;
import dev.berth.engine.testing.TestRegistry;

import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent that does not share the engine's disk, as on another machine: the real runtime agent
 * (the jar the build just made) unpacks an image the engine pulled, fetching every layer blob over
 * the engine's gRPC ContentService.
 */
@Tag("privileged")
@SpringBootTest(properties = { "spring.grpc.server.port=0", "berth.data-root=${java.io.tmpdir}/berth-remote-agent-test/engine" })
class RemoteAgentUnpackTests {

	private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "berth-remote-agent-test");

	private static final Path AGENT_TARGET = Path.of("..", "runtime-agent", "target").toAbsolutePath().normalize();

	private static TestRegistry registry;

	@LocalGrpcServerPort
	int enginePort;

	@BeforeAll
	static void startRegistry() {
		registry = TestRegistry.start(TestRegistry.Auth.NONE);
		registry.push(Fixtures.LAYERED, "layered:1", TestRegistry.Format.DOCKER_SCHEMA2);
	}

	@AfterAll
	static void cleanUp() {
		registry.close();
		FileSystemUtils.deleteRecursively(ROOT.toFile());
	}

	@Test
	void theAgentUnpacksLayersStreamedFromTheEngine() throws Exception {
		ManagedChannel engine = ManagedChannelBuilder.forAddress("127.0.0.1", this.enginePort).usePlaintext().build();
		List<PullResponse> pulled = new ArrayList<>();
		ImageServiceGrpc.newBlockingStub(engine)
			.pull(PullRequest.newBuilder().setReference(registry.reference("layered:1")).setPlatform("linux/amd64").build())
			.forEachRemaining(pulled::add);
		Image image = pulled.get(pulled.size() - 1).getImage();
		engine.shutdownNow();

		Path agentData = ROOT.resolve("agent");
		Path execRoot = ROOT.resolve("exec");
		int agentPort = freePort();
		Process agent = startAgent(execRoot, agentData, agentPort, this.enginePort);
		ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", agentPort).usePlaintext().build();
		try {
			SnapshotServiceGrpc.SnapshotServiceBlockingStub snapshots = awaitAgent(channel, agent);
			PrepareSnapshotRequest.Builder request = PrepareSnapshotRequest.newBuilder().setKey("remote1");
			image.getLayersList().forEach((layer) -> request.addLayers(SnapshotLayer.newBuilder()
				.setBlobDigest(layer.getBlobDigest())
				.setMediaType(layer.getMediaType())
				.setSize(layer.getSize())
				.setDiffId(layer.getDiffId())));
			List<PrepareSnapshotResponse> responses = new ArrayList<>();
			snapshots.prepareSnapshot(request.build()).forEachRemaining(responses::add);
			PrepareSnapshotResponse last = responses.get(responses.size() - 1);
			assertThat(last.getSnapshot().getChainIdsList())
				.containsExactlyElementsOf(image.getLayersList().stream().map((layer) -> layer.getChainId()).toList());
			assertThat(responses).anyMatch((r) -> r.getProgress().getStatus().equals("Extracting"));

			// nothing of the engine's store is on the agent's disk: the blobs came over gRPC
			assertThat(agentData.resolve("content")).doesNotExist();
			Path lower = agentData.resolve("snapshots/layers").resolve(last.getSnapshot().getChainIds(0).substring(7)).resolve("diff");
			Path upper = agentData.resolve("snapshots/layers").resolve(last.getSnapshot().getChainIds(1).substring(7)).resolve("diff");
			assertThat(Files.readString(lower.resolve("a/keep"))).isNotEmpty();
			assertThat(lower.resolve("bin/busybox")).isRegularFile();
			PosixFileAttributes whiteout = Files.readAttributes(upper.resolve("a/remove-me"), PosixFileAttributes.class,
					LinkOption.NOFOLLOW_LINKS);
			assertThat(whiteout.isOther()).as("a whiteout is a character device").isTrue();

			snapshots.removeSnapshot(RemoveSnapshotRequest.newBuilder().setKey("remote1").build());
			assertThat(snapshots.removeLayers(RemoveLayersRequest.newBuilder()
				.addAllChainIds(last.getSnapshot().getChainIdsList()).build()).getRemovedCount()).isEqualTo(2);
		}
		finally {
			channel.shutdownNow();
			stopAgent(agent, execRoot);
		}
	}

	private static Process startAgent(Path execRoot, Path dataRoot, int port, int enginePort) throws IOException {
		Path jar = onlyFile(AGENT_TARGET, "runtime-agent-", "-SNAPSHOT.jar");
		Path runtime = AGENT_TARGET.resolve("runtime");
		String runtimeClasspath = onlyFile(runtime, "runtime-agent-", "-runtime.jar") + ":" + runtime.resolve("jna.jar");
		Files.createDirectories(execRoot);
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
				"--berth.agent.exec-root=" + execRoot, "--berth.agent.data-root=" + dataRoot,
				"--berth.agent.content-service=127.0.0.1:" + enginePort,
				"--berth.agent.runtime-classpath=" + runtimeClasspath, "--spring.grpc.server.port=" + port)
			.redirectErrorStream(true)
			.redirectOutput(ROOT.resolve("agent.log").toFile())
			.start();
	}

	private static SnapshotServiceGrpc.SnapshotServiceBlockingStub awaitAgent(ManagedChannel channel, Process agent)
			throws Exception {
		SnapshotServiceGrpc.SnapshotServiceBlockingStub snapshots = SnapshotServiceGrpc.newBlockingStub(channel);
		long deadline = System.nanoTime() + 90_000_000_000L;
		while (true) {
			try {
				snapshots.removeSnapshot(RemoveSnapshotRequest.newBuilder().setKey("probe").build());
				return snapshots;
			}
			catch (RuntimeException ex) {
				if (!agent.isAlive() || System.nanoTime() > deadline) {
					throw new AssertionError("the agent did not come up; see " + ROOT.resolve("agent.log"), ex);
				}
				Thread.sleep(200);
			}
		}
	}

	/** Stops the agent, then the node shim it started (which outlives agents by design). */
	private static void stopAgent(Process agent, Path execRoot) throws Exception {
		agent.destroy();
		agent.waitFor();
		Path pidFile = execRoot.resolve("shim/shim.pid");
		if (Files.exists(pidFile)) {
			long pid = Long.parseLong(Files.readString(pidFile).strip());
			ProcessHandle.of(pid).ifPresent((shim) -> {
				shim.descendants().forEach(ProcessHandle::destroyForcibly);
				shim.destroyForcibly();
				shim.onExit().join();
			});
		}
	}

	private static Path onlyFile(Path directory, String prefix, String suffix) throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			List<Path> matches = files.filter((f) -> {
				String name = f.getFileName().toString();
				// the agent's jar and its runtime jar share a prefix: the suffix tells them apart
				boolean runtimeJar = name.endsWith("-runtime.jar");
				return name.startsWith(prefix) && name.endsWith(suffix) && runtimeJar == suffix.equals("-runtime.jar");
			}).toList();
			if (matches.size() != 1) {
				throw new IllegalStateException("expected one " + prefix + "*" + suffix + " in " + directory
						+ " (the runtime agent is packaged before engine-service's tests run), found " + matches);
			}
			return matches.get(0);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
