package dev.berth.lifecycle.task;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.ContainerFilesystemServiceGrpc;
import dev.berth.contracts.agent.v1.DiffLayerRequest;
import dev.berth.contracts.agent.v1.DiffLayerResponse;
import dev.berth.contracts.agent.v1.PauseRequest;
import dev.berth.contracts.agent.v1.PauseResponse;
import dev.berth.contracts.agent.v1.ResumeRequest;
import dev.berth.contracts.agent.v1.ResumeResponse;
import dev.berth.contracts.agent.v1.TaskServiceGrpc;
import dev.berth.contracts.engine.v1.CommitOptions;
import dev.berth.contracts.engine.v1.CommitRequest;
import dev.berth.contracts.engine.v1.CommitResponse;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.lifecycle.v1.Event;
import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.H2Database;
import dev.berth.lifecycle.LifecycleProperties;
import dev.berth.lifecycle.NotFoundException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerState;
import dev.berth.lifecycle.container.ContainerStatus;
import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.container.NewContainer;
import dev.berth.lifecycle.event.EventLog;
import dev.berth.lifecycle.image.Images;
import dev.berth.lifecycle.node.Nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docker commit's part in lifecycle-service, over a real store and real gRPC: a node that pauses,
 * resumes and writes a layer, and an engine that takes the layer, both stand-ins that record what
 * they were asked in order (the real ones run in the end-to-end tests).
 */
class CommitsTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String IMAGE_ID = "sha256:" + "ab".repeat(32);

	private static final String NEW_IMAGE_ID = "sha256:" + "cd".repeat(32);

	@TempDir
	Path dataRoot;

	/** What the node and the engine were asked, in order. */
	private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

	private final List<Event> events = Collections.synchronizedList(new ArrayList<>());

	/** The layer the node sends: more than one chunk, so flow control matters. */
	private final byte[] layer = new byte[3 * 256 * 1024 + 512];

	private CommitOptions received;

	private ByteArrayOutputStream receivedLayer;

	private HikariDataSource dataSource;

	private Server agent;

	private Server engine;

	private Nodes nodes;

	private Images images;

	private ContainerStore store;

	private Commits commits;

	@BeforeEach
	void start() throws Exception {
		for (int i = 0; i < this.layer.length; i++) {
			this.layer[i] = (byte) (i * 31);
		}
		this.agent = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
			.addService(new FakeTasks())
			.addService(new FakeFilesystems())
			.build()
			.start();
		this.engine = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
			.addService(new FakeEngine())
			.build()
			.start();
		LifecycleProperties properties = new LifecycleProperties("127.0.0.1:" + this.agent.getPort(),
				"127.0.0.1:" + this.engine.getPort(), "local", this.dataRoot);
		this.dataSource = H2Database.open(this.dataRoot);
		Flyway.configure().dataSource(this.dataSource).load().migrate();
		this.store = new ContainerStore(this.dataSource);
		this.nodes = new Nodes(properties);
		this.images = new Images(properties);
		EventLog eventLog = new EventLog();
		eventLog.subscribe(0, this.events::add);
		// a commit never makes a runtime spec: none is needed here
		Execs execs = new Execs(this.store, this.nodes, null, eventLog);
		Containers containers = new Containers(this.store, this.images, this.nodes, null, eventLog, new ContainerLocks(),
				new ExitWaiters(), new Attachments(), new RestartPolicies(), new HealthChecks(execs, eventLog),
				new CreatedSnapshots());
		this.commits = new Commits(this.store, containers, new ContainerFilesystems(this.store, this.nodes), this.images);
	}

	@AfterEach
	void stop() throws Exception {
		this.images.destroy();
		this.nodes.destroy();
		this.agent.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.engine.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.dataSource.close();
	}

	private Container container(String name, ContainerStatus status) {
		ObjectNode config = (ObjectNode) JSON.readTree("{\"Image\":\"busybox\",\"Cmd\":[\"sh\"],\"Hostname\":\"h\"}");
		Container container = this.store.create(new NewContainer(name, "busybox", IMAGE_ID, "local", config,
				JSON.createObjectNode(), JSON.createObjectNode()));
		return this.store.updateState(container.id(),
				(state) -> new ContainerState(status, 0, 0, "", null, null, false, 0));
	}

	private Commits.Request request(String container, boolean pause, List<String> changes, String config) {
		return new Commits.Request(container, "repo/x", "1", "msg", "me", pause, changes,
				(config != null) ? (ObjectNode) JSON.readTree(config) : null);
	}

	@Test
	void aRunningContainerIsPausedWhileItsLayerStreamsIntoTheEngine() {
		Container container = container("web", ContainerStatus.RUNNING);
		this.events.clear();
		String id = this.commits.commit(request("web", true, List.of("ENV X=1"), "{\"User\":\"nobody\"}"));

		assertThat(id).isEqualTo(NEW_IMAGE_ID);
		assertThat(this.calls).containsExactly("pause " + container.id(), "diff " + container.id(), "commit",
				"resume " + container.id());
		assertThat(this.receivedLayer.toByteArray()).isEqualTo(this.layer);
		assertThat(this.received.getParentImageId()).isEqualTo(IMAGE_ID);
		assertThat(this.received.getContainerId()).isEqualTo(container.id());
		assertThat(JSON.readTree(this.received.getContainerConfigJson().toByteArray())).isEqualTo(container.configJson());
		assertThat(JSON.readTree(this.received.getConfigJson().toByteArray()))
			.isEqualTo(JSON.readTree("{\"User\":\"nobody\"}"));
		assertThat(this.received.getChangesList()).containsExactly("ENV X=1");
		assertThat(List.of(this.received.getRepository(), this.received.getTag(), this.received.getComment(),
				this.received.getAuthor())).containsExactly("repo/x", "1", "msg", "me");
		assertThat(this.store.get("web").state().status()).isEqualTo(ContainerStatus.RUNNING);

		assertThat(this.events).extracting(Event::getAction).containsExactly("pause", "unpause", "commit");
		Event commit = this.events.get(2);
		assertThat(commit.getType()).isEqualTo("container");
		assertThat(commit.getActorId()).isEqualTo(container.id());
		assertThat(commit.getAttributesMap()).containsEntry("comment", "msg")
			.containsEntry("imageID", NEW_IMAGE_ID)
			.containsEntry("imageRef", "repo/x:1")
			.containsEntry("name", "web")
			.containsEntry("image", "busybox");
	}

	@Test
	void withoutPauseOrWhenStoppedTheContainerIsLeftAsItIs() {
		Container running = container("running", ContainerStatus.RUNNING);
		Container exited = container("exited", ContainerStatus.EXITED);
		this.commits.commit(request("running", false, List.of(), "{}"));
		this.commits.commit(request(exited.id(), true, List.of(), null));
		assertThat(this.calls).containsExactly("diff " + running.id(), "commit", "diff " + exited.id(), "commit");
		// an empty body is no config: the engine falls back to the container's
		assertThat(this.received.getConfigJson()).isEmpty();
	}

	@Test
	void aRefusedCommitStillResumesTheContainer() {
		Container container = container("web", ContainerStatus.RUNNING);
		assertThatThrownBy(() -> this.commits.commit(request("web", true, List.of("FROM scratch"), null)))
			.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
				assertThat(ex.getStatus().getDescription()).isEqualTo("from is not a valid change command");
			});
		assertThat(this.calls).startsWith("pause " + container.id()).endsWith("resume " + container.id())
			.doesNotContain("commit");
		assertThat(this.store.get("web").state().status()).isEqualTo(ContainerStatus.RUNNING);
	}

	@Test
	void unknownDeadAndDyingContainersAreRefusedInDockersWords() {
		Container dead = container("dead", ContainerStatus.DEAD);
		Container removing = container("removing", ContainerStatus.REMOVING);
		assertThatThrownBy(() -> this.commits.commit(request("nope", true, List.of(), null)))
			.isInstanceOf(NotFoundException.class)
			.hasMessage("No such container: nope");
		assertThatThrownBy(() -> this.commits.commit(request("dead", true, List.of(), null)))
			.isInstanceOf(ConflictException.class)
			.hasMessage("You cannot commit container " + dead.id() + " which is Dead");
		assertThatThrownBy(() -> this.commits.commit(request("removing", true, List.of(), null)))
			.isInstanceOf(ConflictException.class)
			.hasMessage("You cannot commit container " + removing.id() + " which is being removed");
		assertThat(this.calls).isEmpty();
	}

	/** The node's tasks: pause and resume, recorded. */
	private final class FakeTasks extends TaskServiceGrpc.TaskServiceImplBase {

		@Override
		public void pause(PauseRequest request, StreamObserver<PauseResponse> responses) {
			CommitsTests.this.calls.add("pause " + request.getContainerId());
			responses.onNext(PauseResponse.getDefaultInstance());
			responses.onCompleted();
		}

		@Override
		public void resume(ResumeRequest request, StreamObserver<ResumeResponse> responses) {
			CommitsTests.this.calls.add("resume " + request.getContainerId());
			responses.onNext(ResumeResponse.getDefaultInstance());
			responses.onCompleted();
		}

	}

	/** The node's files: the layer, in chunks of the agent's size. */
	private final class FakeFilesystems extends ContainerFilesystemServiceGrpc.ContainerFilesystemServiceImplBase {

		@Override
		public void diffLayer(DiffLayerRequest request, StreamObserver<DiffLayerResponse> responses) {
			CommitsTests.this.calls.add("diff " + request.getKey());
			byte[] layer = CommitsTests.this.layer;
			for (int offset = 0; offset < layer.length; offset += 256 * 1024) {
				responses.onNext(DiffLayerResponse.newBuilder()
					.setData(ByteString.copyFrom(layer, offset, Math.min(256 * 1024, layer.length - offset)))
					.build());
			}
			responses.onCompleted();
		}

	}

	/** The engine: takes the options and the layer, refuses a FROM change as soon as it sees it. */
	private final class FakeEngine extends ImageServiceGrpc.ImageServiceImplBase {

		@Override
		public StreamObserver<CommitRequest> commit(StreamObserver<CommitResponse> responses) {
			return new StreamObserver<>() {

				private boolean refused;

				@Override
				public void onNext(CommitRequest message) {
					if (message.hasOptions()) {
						CommitsTests.this.received = message.getOptions();
						CommitsTests.this.receivedLayer = new ByteArrayOutputStream();
						if (message.getOptions().getChangesList().contains("FROM scratch")) {
							this.refused = true;
							responses.onError(Status.INVALID_ARGUMENT.withDescription("from is not a valid change command")
								.asRuntimeException());
						}
					}
					else {
						CommitsTests.this.receivedLayer.writeBytes(message.getData().toByteArray());
					}
				}

				@Override
				public void onError(Throwable error) {
				}

				@Override
				public void onCompleted() {
					if (this.refused) {
						return;
					}
					CommitsTests.this.calls.add("commit");
					responses.onNext(CommitResponse.newBuilder()
						.setImage(Image.newBuilder().setId(NEW_IMAGE_ID).addRepoTags("repo/x:1"))
						.build());
					responses.onCompleted();
				}

			};
		}

	}

}
