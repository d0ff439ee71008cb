package dev.berth.agent.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.agent.AgentTestSupport;
import dev.berth.contracts.agent.v1.Change;
import dev.berth.contracts.agent.v1.ChangeKind;
import dev.berth.contracts.agent.v1.ChangesRequest;
import dev.berth.contracts.agent.v1.ContainerFilesystemServiceGrpc;
import dev.berth.contracts.agent.v1.CreateRequest;
import dev.berth.contracts.agent.v1.DeleteRequest;
import dev.berth.contracts.agent.v1.DiffLayerRequest;
import dev.berth.contracts.agent.v1.ExportSnapshotRequest;
import dev.berth.contracts.agent.v1.PathStat;
import dev.berth.contracts.agent.v1.PrepareSnapshotRequest;
import dev.berth.contracts.agent.v1.PrepareSnapshotResponse;
import dev.berth.contracts.agent.v1.PreparedSnapshot;
import dev.berth.contracts.agent.v1.ReadArchiveRequest;
import dev.berth.contracts.agent.v1.ReadArchiveResponse;
import dev.berth.contracts.agent.v1.RemoveSnapshotRequest;
import dev.berth.contracts.agent.v1.SnapshotLayer;
import dev.berth.contracts.agent.v1.SnapshotServiceGrpc;
import dev.berth.contracts.agent.v1.StartRequest;
import dev.berth.contracts.agent.v1.StatPathRequest;
import dev.berth.contracts.agent.v1.TaskServiceGrpc;
import dev.berth.contracts.agent.v1.UsageRequest;
import dev.berth.contracts.agent.v1.WaitRequest;
import dev.berth.contracts.agent.v1.WriteArchiveOptions;
import dev.berth.contracts.agent.v1.WriteArchiveRequest;
import dev.berth.contracts.agent.v1.WriteArchiveResponse;
import dev.berth.runtime.TestBundles;
import dev.berth.runtime.TestRuntimes;
import dev.berth.runtime.spec.Json;

/**
 * The filesystem service end to end: gRPC in, real snapshots of a busybox image layer, real
 * containers of the node shim, and escape attempts checked against a canary directory outside
 * every root.
 */
@Tag("privileged")
@SpringBootTest(properties = "spring.grpc.server.port=0")
class ContainerFilesystemTest {

	static final Path ROOT = AgentTestSupport.tempDir("berth-fs-test");

	/** Outside every container root: nothing may ever appear in it or change in it. */
	static final Path CANARY = ROOT.resolve("canary");

	@DynamicPropertySource
	static void roots(DynamicPropertyRegistry registry) {
		registry.add("berth.agent.exec-root", ROOT::toString);
		registry.add("berth.agent.data-root", () -> ROOT.resolve("data").toString());
	}

	@LocalGrpcServerPort
	int port;

	private ManagedChannel channel;

	private ContainerFilesystemServiceGrpc.ContainerFilesystemServiceBlockingStub files;

	private TaskServiceGrpc.TaskServiceBlockingStub tasks;

	private SnapshotServiceGrpc.SnapshotServiceBlockingStub snapshots;

	private final List<String> keys = new ArrayList<>();

	private final Map<String, PreparedSnapshot> prepared = new LinkedHashMap<>();

	@BeforeEach
	void connect() throws IOException {
		this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", this.port).usePlaintext().build();
		this.files = ContainerFilesystemServiceGrpc.newBlockingStub(this.channel);
		this.tasks = TaskServiceGrpc.newBlockingStub(this.channel);
		this.snapshots = SnapshotServiceGrpc.newBlockingStub(this.channel);
		Files.createDirectories(CANARY);
		Files.writeString(CANARY.resolve("secret"), "host secret");
	}

	@AfterEach
	void cleanUp() {
		for (String key : this.keys) {
			try {
				this.tasks.delete(DeleteRequest.newBuilder().setContainerId(key).setForce(true).build());
			}
			catch (RuntimeException ex) {
				// no task, or gone already
			}
			this.snapshots.removeSnapshot(RemoveSnapshotRequest.newBuilder().setKey(key).build());
		}
		this.channel.shutdownNow();
	}

	@AfterAll
	static void removeRoot() throws IOException {
		AgentTestSupport.stopShim(ROOT);
		AgentTestSupport.removeExecRoot(ROOT);
		TestRuntimes.removeEmptyParentCgroups();
	}

	@Test
	void copiesInAndOutOfAStoppedContainerAndSeesTheImageThroughItsWritableLayer() throws Exception {
		String key = prepare("stopped1");
		PathStat hostname = stat(key, "/etc/hostname");
		assertThat(hostname.getName()).isEqualTo("hostname");
		assertThat(hostname.getSize()).isEqualTo("image\n".length());
		assertThat(hostname.getMode() & 0170000).isEqualTo(0100000);
		PathStat sh = stat(key, "/bin/sh");
		assertThat(sh.getMode() & 0170000).isEqualTo(0120000);
		assertThat(sh.getLinkTarget()).isEqualTo("/bin/busybox");

		write(key, "/tmp", tar(Map.of("hello.txt", "hello from the host")));
		assertThat(read(key, "/tmp/hello.txt")).containsEntry("hello.txt", "hello from the host");
		assertThat(read(key, "/tmp")).containsEntry("tmp/hello.txt", "hello from the host");
		// the write went to the writable layer: the image layer is untouched
		assertThat(changes(key)).containsSubsequence(change("/tmp", ChangeKind.CHANGE_KIND_MODIFIED),
				change("/tmp/hello.txt", ChangeKind.CHANGE_KIND_ADDED));
		assertThat(archive(export(key))).containsEntry("tmp/hello.txt", "hello from the host")
			.containsKey("bin/busybox")
			.containsEntry("etc/hostname", "image\n");
		assertThat(archive(diffLayer(key))).containsOnlyKeys("tmp/", "tmp/hello.txt");
		var usage = this.files.usage(UsageRequest.newBuilder().addKeys(key).addKeys("none").build()).getUsages(0);
		assertThat(usage.getSizeRw()).isEqualTo("hello from the host".length());
		assertThat(usage.getSizeRootFs()).isGreaterThan(Files.size(TestBundles.BUSYBOX));

		AgentTestSupport.assertStatus(() -> stat(key, "/nope"), Status.Code.NOT_FOUND,
				"Could not find the file /nope in container " + key);
		AgentTestSupport.assertStatus(() -> write(key, "/etc/hostname", tar(Map.of("x", "y"))),
				Status.Code.INVALID_ARGUMENT, "extraction point is not a directory");
	}

	@Test
	void aRunningContainerSeesCopiedFilesAtOnceAndDeletionsAreWhiteouts() throws Exception {
		String key = prepare("running1");
		// one run deletes a file of the image and exits
		run(key, "rm /etc/motd");
		assertThat(changes(key)).containsSubsequence(change("/etc", ChangeKind.CHANGE_KIND_MODIFIED),
				change("/etc/motd", ChangeKind.CHANGE_KIND_DELETED));
		assertThat(archive(diffLayer(key))).containsKey("etc/.wh.motd");
		AgentTestSupport.assertStatus(() -> stat(key, "/etc/motd"), Status.Code.NOT_FOUND, "Could not find the file");
		assertThat(archive(export(key))).doesNotContainKey("etc/motd");

		// the next waits for a file the host copies in while it runs
		PreparedSnapshot snapshot = prepareSnapshot(key);
		create(key, snapshot, "while [ ! -f /tmp/live ]; do sleep 0.05; done; grep -q copied /tmp/live");
		this.tasks.start(StartRequest.newBuilder().setContainerId(key).build());
		write(key, "/tmp", tar(Map.of("live", "copied while running")));
		assertThat(this.tasks.wait(WaitRequest.newBuilder().setContainerId(key).build()).getExitStatus()).isZero();
	}

	@Test
	void noLinkNameOrPathLeadsOutOfTheRoot() throws Exception {
		String key = prepare("escape1");
		List<String> before = listing(CANARY);
		// links the container could have made: to /, to the canary by its host path, up with ..
		write(key, "/", links(Map.of("toroot", "/", "tohost", CANARY.toString(), "up", "../../../../../..")));
		// a path through them stays in the container
		write(key, "/toroot/tmp", tar(Map.of("via-root-link", "in the container")));
		assertThat(read(key, "/tmp/via-root-link")).containsEntry("via-root-link", "in the container");
		write(key, "/up/tmp", tar(Map.of("via-dotdot-link", "in the container")));
		assertThat(read(key, "/tmp/via-dotdot-link")).containsKey("via-dotdot-link");
		AgentTestSupport.assertStatus(() -> read(key, "/tohost/secret"), Status.Code.NOT_FOUND, "Could not find");
		AgentTestSupport.assertStatus(() -> write(key, "/tohost/", tar(Map.of("pwned", "x"))), Status.Code.NOT_FOUND,
				"Could not find");
		// as Docker: the link itself is the extraction point, and it is no directory
		AgentTestSupport.assertStatus(() -> write(key, "/tohost", tar(Map.of("pwned", "x"))),
				Status.Code.INVALID_ARGUMENT, "extraction point is not a directory");
		assertThat(stat(key, "/up").getLinkTarget()).isEqualTo("/");
		assertThat(stat(key, "/tohost").getLinkTarget()).isEqualTo(CANARY.toString());
		// reading a link gives the link, never what it points at on the host
		Map<String, String> link = read(key, "/tohost");
		assertThat(link).containsOnlyKeys("tohost");
		assertThat(stat(key, "/../../..").getName()).isEqualTo("/");

		// entries that climb, or go through a link in the archive or in the container
		AgentTestSupport.assertStatus(() -> write(key, "/tmp", tar(Map.of("../../../../pwned", "x"))),
				Status.Code.INVALID_ARGUMENT, "climbs above");
		AgentTestSupport.assertStatus(() -> write(key, "/", tar(Map.of("tohost/pwned", "x"))),
				Status.Code.INVALID_ARGUMENT, "symbolic link");
		ByteArrayOutputStream planted = new ByteArrayOutputStream();
		try (TarArchiveOutputStream out = new TarArchiveOutputStream(planted)) {
			TarArchiveEntry link2 = new TarArchiveEntry("planted", TarConstants.LF_SYMLINK);
			link2.setLinkName(CANARY.toString());
			out.putArchiveEntry(link2);
			out.closeArchiveEntry();
			put(out, "planted/pwned", "x");
			TarArchiveEntry hard = new TarArchiveEntry("hard", TarConstants.LF_LINK);
			hard.setLinkName(CANARY.resolve("secret").toString());
			out.putArchiveEntry(hard);
			out.closeArchiveEntry();
		}
		AgentTestSupport.assertStatus(() -> write(key, "/tmp", planted.toByteArray()), Status.Code.INVALID_ARGUMENT,
				"symbolic link");
		assertThat(listing(CANARY)).isEqualTo(before);
		assertThat(Files.readString(CANARY.resolve("secret"))).isEqualTo("host secret");
	}

	private String prepare(String key) throws IOException {
		this.keys.add(key);
		prepareSnapshot(key);
		return key;
	}

	/** A snapshot over one layer: busybox, /etc with hostname and motd, an empty /tmp. */
	private PreparedSnapshot prepareSnapshot(String key) throws IOException {
		if (this.prepared.containsKey(key)) {
			return this.prepared.get(key);
		}
		Path bundle = TestBundles.busybox(Files.createTempDirectory(ROOT, "bundle-" + key), List.of("true"));
		Path rootfs = bundle.resolve("rootfs");
		Files.createDirectories(rootfs.resolve("tmp"));
		Files.writeString(rootfs.resolve("etc/hostname"), "image\n");
		Files.writeString(rootfs.resolve("etc/motd"), "welcome\n");
		Process tar = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", "-", ".").start();
		byte[] layer = tar.getInputStream().readAllBytes();
		String digest = "sha256:" + HexFormat.of().formatHex(sha256(layer));
		Path blobs = ROOT.resolve("data/content/blobs/sha256");
		Files.createDirectories(blobs);
		Files.write(blobs.resolve(digest.substring(7)), layer);
		Iterator<PrepareSnapshotResponse> responses = this.snapshots.prepareSnapshot(PrepareSnapshotRequest.newBuilder()
			.setKey(key)
			.addLayers(SnapshotLayer.newBuilder()
				.setBlobDigest(digest)
				.setDiffId(digest)
				.setSize(layer.length)
				.setMediaType("application/vnd.oci.image.layer.v1.tar"))
			.build());
		PreparedSnapshot prepared = null;
		while (responses.hasNext()) {
			PrepareSnapshotResponse response = responses.next();
			if (response.hasSnapshot()) {
				prepared = response.getSnapshot();
			}
		}
		this.prepared.put(key, prepared);
		return prepared;
	}

	private void create(String key, PreparedSnapshot snapshot, String script) {
		Map<String, Object> spec = new LinkedHashMap<>(TestBundles.spec(List.of("/bin/sh", "-c", script)));
		this.tasks.create(CreateRequest.newBuilder()
			.setContainerId(key)
			.setSpecJson(ByteString.copyFromUtf8(Json.write(spec)))
			.addAllRootfs(snapshot.getMountsList())
			.build());
	}

	private void run(String key, String script) throws IOException {
		create(key, prepareSnapshot(key), script);
		this.tasks.start(StartRequest.newBuilder().setContainerId(key).build());
		assertThat(this.tasks.wait(WaitRequest.newBuilder().setContainerId(key).build()).getExitStatus()).isZero();
		this.tasks.delete(DeleteRequest.newBuilder().setContainerId(key).build());
	}

	private PathStat stat(String key, String path) {
		return this.files.statPath(StatPathRequest.newBuilder().setKey(key).setPath(path).build()).getStat();
	}

	private Map<String, String> read(String key, String path) {
		Iterator<ReadArchiveResponse> responses = this.files
			.readArchive(ReadArchiveRequest.newBuilder().setKey(key).setPath(path).build());
		ByteArrayOutputStream tar = new ByteArrayOutputStream();
		assertThat(responses.next().hasStat()).isTrue();
		responses.forEachRemaining((response) -> tar.writeBytes(response.getData().toByteArray()));
		return archive(tar.toByteArray());
	}

	private byte[] export(String key) {
		ByteArrayOutputStream tar = new ByteArrayOutputStream();
		this.files.exportSnapshot(ExportSnapshotRequest.newBuilder().setKey(key).build())
			.forEachRemaining((response) -> tar.writeBytes(response.getData().toByteArray()));
		return tar.toByteArray();
	}

	private byte[] diffLayer(String key) {
		ByteArrayOutputStream tar = new ByteArrayOutputStream();
		this.files.diffLayer(DiffLayerRequest.newBuilder().setKey(key).build())
			.forEachRemaining((response) -> tar.writeBytes(response.getData().toByteArray()));
		return tar.toByteArray();
	}

	private List<Change> changes(String key) {
		return this.files.changes(ChangesRequest.newBuilder().setKey(key).build()).getChangesList();
	}

	private static Change change(String path, ChangeKind kind) {
		return Change.newBuilder().setPath(path).setKind(kind).build();
	}

	/** Sends a tar over the client stream, as the gateway does, and waits for the answer. */
	private void write(String key, String path, byte[] tar) {
		CompletableFuture<WriteArchiveResponse> done = new CompletableFuture<>();
		StreamObserver<WriteArchiveRequest> requests = ContainerFilesystemServiceGrpc.newStub(this.channel)
			.writeArchive(new StreamObserver<>() {

				@Override
				public void onNext(WriteArchiveResponse response) {
					done.complete(response);
				}

				@Override
				public void onError(Throwable error) {
					done.completeExceptionally(error);
				}

				@Override
				public void onCompleted() {
				}

			});
		requests.onNext(WriteArchiveRequest.newBuilder()
			.setOptions(WriteArchiveOptions.newBuilder().setKey(key).setPath(path).setNoOverwriteDirNonDir(true))
			.build());
		for (int offset = 0; offset < tar.length; offset += 1000) {
			requests.onNext(WriteArchiveRequest.newBuilder()
				.setData(ByteString.copyFrom(tar, offset, Math.min(1000, tar.length - offset)))
				.build());
		}
		requests.onCompleted();
		try {
			done.get();
		}
		catch (java.util.concurrent.ExecutionException ex) {
			throw (RuntimeException) ex.getCause();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] tar(Map<String, String> files) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
			for (Map.Entry<String, String> file : files.entrySet()) {
				put(out, file.getKey(), file.getValue());
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return bytes.toByteArray();
	}

	private static void put(TarArchiveOutputStream out, String name, String content) throws IOException {
		byte[] data = content.getBytes(StandardCharsets.UTF_8);
		TarArchiveEntry entry = new TarArchiveEntry(name);
		entry.setSize(data.length);
		out.putArchiveEntry(entry);
		out.write(data);
		out.closeArchiveEntry();
	}

	private static byte[] links(Map<String, String> links) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
			for (Map.Entry<String, String> link : links.entrySet()) {
				TarArchiveEntry entry = new TarArchiveEntry(link.getKey(), TarConstants.LF_SYMLINK);
				entry.setLinkName(link.getValue());
				out.putArchiveEntry(entry);
				out.closeArchiveEntry();
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return bytes.toByteArray();
	}

	/** Entry names and, for files, their contents. */
	private static Map<String, String> archive(byte[] tar) {
		Map<String, String> entries = new LinkedHashMap<>();
		try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
			TarArchiveEntry entry;
			while ((entry = in.getNextEntry()) != null) {
				entries.put(entry.getName(), entry.isFile() ? new String(in.readAllBytes(), StandardCharsets.UTF_8) : "");
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return entries;
	}

	private static List<String> listing(Path directory) throws IOException {
		try (var entries = Files.list(directory)) {
			return entries.map(Path::toString).sorted().toList();
		}
	}

	private static byte[] sha256(byte[] data) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(data);
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
