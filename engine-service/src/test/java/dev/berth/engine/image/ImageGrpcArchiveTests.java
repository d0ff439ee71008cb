package dev.berth.engine.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.contracts.engine.v1.CommitRequest;
import dev.berth.contracts.engine.v1.CommitResponse;
import dev.berth.contracts.engine.v1.DiskUsageRequest;
import dev.berth.contracts.engine.v1.DiskUsageResponse;
import dev.berth.contracts.engine.v1.FilterValues;
import dev.berth.contracts.engine.v1.HistoryRequest;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.ImageUser;
import dev.berth.contracts.engine.v1.ImportRequest;
import dev.berth.contracts.engine.v1.ImportResponse;
import dev.berth.contracts.engine.v1.LoadOptions;
import dev.berth.contracts.engine.v1.LoadRequest;
import dev.berth.contracts.engine.v1.LoadResponse;
import dev.berth.contracts.engine.v1.PruneRequest;
import dev.berth.contracts.engine.v1.PruneResponse;
import dev.berth.contracts.engine.v1.SaveRequest;
import dev.berth.contracts.engine.v1.SaveResponse;
import dev.berth.engine.content.Digest;
import dev.berth.engine.testing.Fixtures;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The archive RPCs over an in-process gRPC server: streams both ways under flow control, and
 * errors as statuses. The in-process transport is ready exactly when the peer has asked for a
 * message, which makes flow control observable.
 */
class ImageGrpcArchiveTests {

	@TempDir
	Path temp;

	private TestEngine engine;

	private Server server;

	private ManagedChannel channel;

	/** Messages the server has sent on its current call. */
	private final AtomicInteger sent = new AtomicInteger();

	@BeforeEach
	void start() throws IOException {
		this.engine = TestEngine.open(this.temp.resolve("engine"));
		String name = InProcessServerBuilder.generateName();
		ServerInterceptor counting = new ServerInterceptor() {
			@Override
			public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
				return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
					@Override
					public void sendMessage(A message) {
						ImageGrpcArchiveTests.this.sent.incrementAndGet();
						super.sendMessage(message);
					}
				}, headers);
			}
		};
		this.server = InProcessServerBuilder.forName(name)
			.addService(ServerInterceptors.intercept(new ImageGrpcService(this.engine.images()), counting))
			.build()
			.start();
		this.channel = InProcessChannelBuilder.forName(name).build();
	}

	@AfterEach
	void stop() throws InterruptedException {
		this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
	}

	private ImageRecord loadFixture(String fixture, String tag) throws IOException {
		ImageRecord record = this.engine.load(TestArchives.tar(Fixtures.layout(fixture), this.temp.resolve(fixture + ".tar")))
			.images()
			.get(0);
		this.engine.images().tag(record.id().toString(), tag);
		return record;
	}

	private byte[] directSave(String... names) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		this.engine.images().save(List.of(names)).writeTo(out);
		return out.toByteArray();
	}

	@Test
	void saveStreamsWhatTheServiceWritesInChunksAndWaitsForASlowClient() throws Exception {
		loadFixture(Fixtures.BUSYBOX, "busybox:latest");
		loadFixture(Fixtures.BIG, "big:latest");
		byte[] expected = directSave("busybox", "big");

		ByteArrayOutputStream received = new ByteArrayOutputStream();
		CompletableFuture<Void> done = new CompletableFuture<>();
		List<ClientCallStreamObserver<SaveRequest>> calls = new ArrayList<>();
		ImageServiceGrpc.newStub(this.channel).save(SaveRequest.newBuilder().addNames("busybox").addNames("big").build(),
				new ClientResponseObserver<SaveRequest, SaveResponse>() {
					@Override
					public void beforeStart(ClientCallStreamObserver<SaveRequest> call) {
						call.disableAutoRequestWithInitial(1);
						calls.add(call);
					}

					@Override
					public void onNext(SaveResponse response) {
						assertThat(response.getData().size()).isLessThanOrEqualTo(ChunkOutputStream.CHUNK);
						received.writeBytes(response.getData().toByteArray());
					}

					@Override
					public void onError(Throwable error) {
						done.completeExceptionally(error);
					}

					@Override
					public void onCompleted() {
						done.complete(null);
					}
				});
		// one chunk asked for: the server sends it, then waits, however much is left to write
		Thread.sleep(500);
		assertThat(this.sent.get()).isEqualTo(1);
		assertThat(received.size()).isEqualTo(ChunkOutputStream.CHUNK);
		calls.get(0).request(Integer.MAX_VALUE);
		done.get(60, TimeUnit.SECONDS);
		assertThat(Digest.of(received.toByteArray())).isEqualTo(Digest.of(expected));
		assertThat(this.sent.get()).isEqualTo((expected.length + ChunkOutputStream.CHUNK - 1) / ChunkOutputStream.CHUNK);
	}

	@Test
	void anUnknownNameFailsBeforeTheFirstChunk() {
		Iterator<SaveResponse> chunks = ImageServiceGrpc.newBlockingStub(this.channel)
			.save(SaveRequest.newBuilder().addNames("nope:1").build());
		assertThatThrownBy(chunks::hasNext).isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
			assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
			assertThat(ex.getStatus().getDescription()).isEqualTo("No such image: nope:1");
		});
		assertThat(this.sent.get()).isZero();
	}

	@Test
	void aCancelledSaveStops() throws Exception {
		loadFixture(Fixtures.BIG, "big:latest");
		CompletableFuture<Throwable> ended = new CompletableFuture<>();
		ImageServiceGrpc.newStub(this.channel).save(SaveRequest.newBuilder().addNames("big").build(),
				new ClientResponseObserver<SaveRequest, SaveResponse>() {

					private ClientCallStreamObserver<SaveRequest> call;

					@Override
					public void beforeStart(ClientCallStreamObserver<SaveRequest> call) {
						this.call = call;
					}

					@Override
					public void onNext(SaveResponse response) {
						this.call.cancel("enough", null);
					}

					@Override
					public void onError(Throwable error) {
						ended.complete(error);
					}

					@Override
					public void onCompleted() {
						ended.complete(null);
					}
				});
		assertThat(Status.fromThrowable(ended.get(10, TimeUnit.SECONDS)).getCode()).isEqualTo(Status.Code.CANCELLED);
		int afterCancel = this.sent.get();
		Thread.sleep(300);
		assertThat(this.sent.get()).isEqualTo(afterCancel).isLessThan(10);
	}

	/** Sends an archive in 64 KiB chunks as fast as the server asks for them, then collects the answers. */
	private List<LoadResponse> load(Path archive, String platform) throws Exception {
		List<LoadResponse> responses = new ArrayList<>();
		CompletableFuture<Void> done = new CompletableFuture<>();
		InputStream in = Files.newInputStream(archive);
		ImageServiceGrpc.newStub(this.channel).load(new ClientResponseObserver<LoadRequest, LoadResponse>() {

			private boolean optionsSent;

			private boolean finished;

			@Override
			public void beforeStart(ClientCallStreamObserver<LoadRequest> call) {
				call.setOnReadyHandler(() -> {
					try {
						while (call.isReady() && !this.finished) {
							if (!this.optionsSent) {
								this.optionsSent = true;
								call.onNext(LoadRequest.newBuilder().setOptions(LoadOptions.newBuilder().setPlatform(platform)).build());
								continue;
							}
							byte[] chunk = in.readNBytes(64 << 10);
							if (chunk.length == 0) {
								this.finished = true;
								in.close();
								call.onCompleted();
								return;
							}
							call.onNext(LoadRequest.newBuilder().setData(ByteString.copyFrom(chunk)).build());
						}
					}
					catch (IOException ex) {
						call.onError(ex);
					}
				});
			}

			@Override
			public void onNext(LoadResponse response) {
				responses.add(response);
			}

			@Override
			public void onError(Throwable error) {
				done.completeExceptionally(error);
			}

			@Override
			public void onCompleted() {
				done.complete(null);
			}
		});
		try {
			done.get(60, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
		return responses;
	}

	@Test
	void loadStreamsProgressThenDockersLinesThenTheImages() throws Exception {
		Path archive = TestArchives.tar(Fixtures.layout(Fixtures.LAYERED), this.temp.resolve("layered-oci.tar"));
		ImageRecord source = this.engine.load(archive).images().get(0);
		this.engine.images().tag(source.id().toString(), "layered:1");
		Path saved = this.temp.resolve("saved.tar");
		Files.write(saved, directSave("layered:1"));
		this.engine.images().remove(source.id().toString(), true, ImageUsers.NONE);

		List<LoadResponse> responses = load(saved, "");
		assertThat(responses).filteredOn(LoadResponse::hasProgress).isNotEmpty().allSatisfy((response) -> {
			assertThat(response.getProgress().getStatus()).isEqualTo("Loading layer");
		});
		assertThat(responses).filteredOn(LoadResponse::hasStream).extracting(LoadResponse::getStream)
			.containsExactly("Loaded image: layered:1");
		assertThat(responses.getLast().getImage().getId()).isEqualTo(source.id().toString());
		assertThat(responses.getLast().getImage().getRepoTagsList()).containsExactly("layered:1");
		assertThat(this.engine.images().resolve("layered:1").id()).isEqualTo(source.id());
	}

	@Test
	void aBadArchiveIsAnInvalidArgumentAndLeavesNothing() throws Exception {
		Path bad = new TestArchives.TarWriter().file("../escape", "x").write(this.temp.resolve("bad.tar"));
		assertThatThrownBy(() -> load(bad, "")).isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
			assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
			assertThat(ex.getStatus().getDescription()).isEqualTo("invalid archive: entry \"../escape\" leads outside the archive");
		});
		Path multiarch = TestArchives.tar(Fixtures.layout(Fixtures.MULTIARCH), this.temp.resolve("multiarch.tar"));
		assertThatThrownBy(() -> load(multiarch, "linux/s390x"))
			.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> assertThat(ex.getStatus().getDescription())
				.isEqualTo("invalid archive: no image for linux/s390x in it"));
		this.engine.assertEmpty();
	}

	@Test
	void importTakesItsOptionsFirstThenTheTar() throws Exception {
		byte[] rootfs = TestArchives.unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.BUSYBOX)).get(0));
		CompletableFuture<ImportResponse> answer = new CompletableFuture<>();
		StreamObserver<ImportRequest> requests = ImageServiceGrpc.newStub(this.channel).import_(observer(answer));
		requests.onNext(ImportRequest.newBuilder()
			.setOptions(dev.berth.contracts.engine.v1.ImportOptions.newBuilder()
				.setRepository("imported")
				.setTag("v1")
				.addChanges("CMD [\"sh\"]")
				.setMessage("over grpc"))
			.build());
		for (int offset = 0; offset < rootfs.length; offset += 100_000) {
			requests.onNext(ImportRequest.newBuilder()
				.setData(ByteString.copyFrom(rootfs, offset, Math.min(100_000, rootfs.length - offset)))
				.build());
		}
		requests.onCompleted();
		ImportResponse response = answer.get(30, TimeUnit.SECONDS);
		assertThat(response.getImage().getRepoTagsList()).containsExactly("imported:v1");
		assertThat(response.getImage().getLayers(0).getDiffId()).isEqualTo(Digest.of(rootfs).toString());

		CompletableFuture<ImportResponse> refused = new CompletableFuture<>();
		StreamObserver<ImportRequest> wrong = ImageServiceGrpc.newStub(this.channel).import_(observer(refused));
		wrong.onNext(ImportRequest.newBuilder().setData(ByteString.copyFrom(rootfs, 0, 512)).build());
		wrong.onCompleted();
		assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
			.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
				assertThat(ex.getStatus().getDescription()).isEqualTo("the first message of an import must hold its options");
			});
	}

	@Test
	void commitTakesItsOptionsFirstThenTheLayerAndRefusesABadChangeAtOnce() throws Exception {
		ImageRecord busybox = loadFixture(Fixtures.BUSYBOX, "busybox:latest");
		byte[] layer = TestArchives.unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.BUSYBOX)).get(0));
		dev.berth.contracts.engine.v1.CommitOptions.Builder options = dev.berth.contracts.engine.v1.CommitOptions.newBuilder()
			.setParentImageId(busybox.id().toString())
			.setContainerId("c0ffee")
			.setContainerConfigJson(ByteString.copyFromUtf8("{\"Cmd\":[\"sh\"],\"Env\":[\"A=1\"]}"))
			.setConfigJson(ByteString.copyFromUtf8("{\"User\":\"nobody\"}"))
			.addChanges("CMD [\"cat\",\"/made\"]")
			.setRepository("repo/x")
			.setTag("1")
			.setComment("over grpc")
			.setAuthor("me");
		CompletableFuture<CommitResponse> answer = new CompletableFuture<>();
		StreamObserver<CommitRequest> requests = ImageServiceGrpc.newStub(this.channel).commit(observer(answer));
		requests.onNext(CommitRequest.newBuilder().setOptions(options).build());
		for (int offset = 0; offset < layer.length; offset += 100_000) {
			requests.onNext(CommitRequest.newBuilder()
				.setData(ByteString.copyFrom(layer, offset, Math.min(100_000, layer.length - offset)))
				.build());
		}
		requests.onCompleted();
		Image image = answer.get(30, TimeUnit.SECONDS).getImage();
		assertThat(image.getRepoTagsList()).containsExactly("repo/x:1");
		assertThat(image.getParent()).isEqualTo(busybox.id().toString());
		assertThat(image.getLayersList()).hasSize(2);
		assertThat(image.getLayers(1).getDiffId()).isEqualTo(Digest.of(layer).toString());
		JsonNode config = TestArchives.JSON.readTree(image.getConfigJson().toByteArray()).path("config");
		assertThat(config).isEqualTo(TestArchives.JSON.readTree("{\"User\":\"nobody\",\"Cmd\":[\"cat\",\"/made\"],"
				+ "\"Labels\":{},\"Env\":[\"A=1\"]}"));

		CompletableFuture<CommitResponse> refused = new CompletableFuture<>();
		StreamObserver<CommitRequest> wrong = ImageServiceGrpc.newStub(this.channel).commit(observer(refused));
		wrong.onNext(CommitRequest.newBuilder().setOptions(options.clearChanges().addChanges("FROM scratch")).build());
		// no layer sent and the stream left open: the answer cannot wait for the body
		assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
			.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
				assertThat(ex.getStatus().getDescription()).isEqualTo("from is not a valid change command");
			});
		wrong.onCompleted();
	}

	private static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
		return new StreamObserver<>() {
			@Override
			public void onNext(T value) {
				answer.complete(value);
			}

			@Override
			public void onError(Throwable error) {
				answer.completeExceptionally(error);
			}

			@Override
			public void onCompleted() {
			}
		};
	}

	@Test
	void historyPruneAndDiskUsageAnswerOverGrpc() throws IOException {
		ImageRecord busybox = loadFixture(Fixtures.BUSYBOX, "busybox:latest");
		ImageRecord big = this.engine.load(TestArchives.tar(Fixtures.layout(Fixtures.BIG), this.temp.resolve("big.tar")))
			.images()
			.get(0);
		ImageServiceGrpc.ImageServiceBlockingStub images = ImageServiceGrpc.newBlockingStub(this.channel);
		assertThat(images.history(HistoryRequest.newBuilder().setName("busybox").build()).getItemsList())
			.extracting(dev.berth.contracts.engine.v1.HistoryItem::getId)
			.containsExactly(busybox.id().toString(), HistoryItem.MISSING);

		ImageUser user = ImageUser.newBuilder().setContainerId("c1").setImageId(busybox.id().toString()).setRunning(true).build();
		DiskUsageResponse usage = images.diskUsage(DiskUsageRequest.newBuilder().addUsers(user).build());
		assertThat(usage.getLayersSize()).isEqualTo(big.size());
		assertThat(usage.getContentSize()).isEqualTo(this.engine.blobBytes());
		assertThat(usage.getImagesList()).anySatisfy((image) -> {
			assertThat(image.getImage().getId()).isEqualTo(busybox.id().toString());
			assertThat(image.getSharedSize()).isEqualTo(busybox.size());
			assertThat(image.getContainers()).isEqualTo(1);
		});

		PruneResponse pruned = images.prune(PruneRequest.newBuilder()
			.putFilters("dangling", FilterValues.newBuilder().addValues("false").build())
			.addUsers(user)
			.build());
		assertThat(pruned.getItemsList()).anySatisfy((item) -> assertThat(item.getDeleted()).isEqualTo(big.id().toString()));
		assertThat(pruned.getSpaceReclaimed()).isPositive();
		assertThat(this.engine.images().list(Map.of(), true)).extracting(ImageRecord::id)
			.containsExactly(busybox.id());
		assertThatThrownBy(() -> images.prune(PruneRequest.newBuilder()
			.putFilters("until", FilterValues.newBuilder().addValues("whenever").build())
			.build())).isInstanceOfSatisfying(StatusRuntimeException.class,
					(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
	}

}
