package dev.berth.engine.image;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import dev.berth.contracts.engine.v1.CommitRequest;
import dev.berth.contracts.engine.v1.CommitResponse;
import dev.berth.contracts.engine.v1.DeleteItem;
import dev.berth.contracts.engine.v1.DiskUsageRequest;
import dev.berth.contracts.engine.v1.DiskUsageResponse;
import dev.berth.contracts.engine.v1.FilterValues;
import dev.berth.contracts.engine.v1.HistoryRequest;
import dev.berth.contracts.engine.v1.HistoryResponse;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageDiskUsage;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.ImageUser;
import dev.berth.contracts.engine.v1.ImportRequest;
import dev.berth.contracts.engine.v1.ImportResponse;
import dev.berth.contracts.engine.v1.InspectRequest;
import dev.berth.contracts.engine.v1.InspectResponse;
import dev.berth.contracts.engine.v1.Layer;
import dev.berth.contracts.engine.v1.ListRequest;
import dev.berth.contracts.engine.v1.ListResponse;
import dev.berth.contracts.engine.v1.LoginRequest;
import dev.berth.contracts.engine.v1.LoginResponse;
import dev.berth.contracts.engine.v1.Progress;
import dev.berth.contracts.engine.v1.PushRequest;
import dev.berth.contracts.engine.v1.PushResponse;
import dev.berth.contracts.engine.v1.PushedTag;
import dev.berth.contracts.engine.v1.LoadRequest;
import dev.berth.contracts.engine.v1.LoadResponse;
import dev.berth.contracts.engine.v1.Progress;
import dev.berth.contracts.engine.v1.PruneRequest;
import dev.berth.contracts.engine.v1.PruneResponse;
import dev.berth.contracts.engine.v1.PullRequest;
import dev.berth.contracts.engine.v1.PullResponse;
import dev.berth.contracts.engine.v1.RemoveRequest;
import dev.berth.contracts.engine.v1.RemoveResponse;
import dev.berth.contracts.engine.v1.SaveRequest;
import dev.berth.contracts.engine.v1.SaveResponse;
import dev.berth.contracts.engine.v1.TagRequest;
import dev.berth.contracts.engine.v1.TagResponse;
import dev.berth.contracts.stream.ChunkInputStream;
import dev.berth.engine.EngineErrors;
import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.Platform;
import dev.berth.engine.registry.ProgressEvent;
import dev.berth.engine.registry.RegistryCredentials;

import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code berth.engine.v1.ImageService}: parses requests, calls {@link ImageService}, answers.
 * Archives stream both ways under flow control: a save is written only as fast as the client
 * takes it ({@link ChunkOutputStream}), a load or import body is requested only as fast as it is
 * read ({@link ChunkInputStream}). The streaming work runs on a virtual thread of its own, never
 * on a gRPC thread.
 */
@Service
class ImageGrpcService extends ImageServiceGrpc.ImageServiceImplBase {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** What a client may still send after a loaded archive's end (tar padding) before we stop reading. */
	private static final long MAX_TRAILING_BYTES = 16 << 20;

	private final ImageService images;

	ImageGrpcService(ImageService images) {
		this.images = images;
	}

	@Override
	public void pull(PullRequest request, StreamObserver<PullResponse> responses) {
		try {
			ImageReference reference = ImageReference.parse(request.getReference());
			Platform platform = request.getPlatform().isEmpty() ? Platform.host() : Platform.parse(request.getPlatform());
			RegistryCredentials credentials = RegistryCredentials.fromRegistryAuthHeader(request.getRegistryAuth());
			ImageRecord record = this.images.pull(reference, platform, credentials,
					(event) -> responses.onNext(PullResponse.newBuilder().setProgress(toMessage(event)).build()));
			responses.onNext(PullResponse.newBuilder().setImage(toMessage(record)).build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void list(ListRequest request, StreamObserver<ListResponse> responses) {
		try {
			ListResponse.Builder response = ListResponse.newBuilder();
			this.images.list(filters(request.getFiltersMap()), request.getAll()).forEach((record) -> response.addImages(toMessage(record)));
			responses.onNext(response.build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void inspect(InspectRequest request, StreamObserver<InspectResponse> responses) {
		try {
			ImageRecord record = this.images.resolve(request.getName());
			responses.onNext(InspectResponse.newBuilder().setImage(toMessage(record)).build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void tag(TagRequest request, StreamObserver<TagResponse> responses) {
		try {
			this.images.tag(request.getSource(), request.getTarget());
			responses.onNext(TagResponse.getDefaultInstance());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void remove(RemoveRequest request, StreamObserver<RemoveResponse> responses) {
		try {
			List<ImageDeleteItem> items = this.images.remove(request.getName(), request.getForce(),
					users(request.getUsersList()));
			RemoveResponse.Builder response = RemoveResponse.newBuilder().addAllRemovedChainIds(removedChainIds(items));
			items.forEach((item) -> response.addItems(toMessage(item)));
			responses.onNext(response.build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void save(SaveRequest request, StreamObserver<SaveResponse> responses) {
		ServerCallStreamObserver<SaveResponse> call = (ServerCallStreamObserver<SaveResponse>) responses;
		ImageService.SaveArchive archive;
		try {
			archive = this.images.save(request.getNamesList());
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
			return;
		}
		ChunkOutputStream<SaveResponse> out = new ChunkOutputStream<>(call,
				(data) -> SaveResponse.newBuilder().setData(data).build());
		Thread.ofVirtual().name("image-save").start(() -> {
			try {
				archive.writeTo(out);
				out.close();
				responses.onCompleted();
			}
			catch (IOException | RuntimeException ex) {
				if (!out.isCancelled()) {
					responses.onError(EngineErrors.toStatus(ex));
				}
			}
		});
	}

	@Override
	public StreamObserver<LoadRequest> load(StreamObserver<LoadResponse> responses) {
		ServerCallStreamObserver<LoadResponse> call = (ServerCallStreamObserver<LoadResponse>) responses;
		ChunkInputStream archive = new ChunkInputStream(call);
		call.setOnCancelHandler(() -> archive.fail(new IOException("the client cancelled the load")));
		archive.requestNext();
		return new StreamObserver<>() {

			private boolean started;

			@Override
			public void onNext(LoadRequest message) {
				if (!this.started) {
					this.started = true;
					String platform = message.hasOptions() ? message.getOptions().getPlatform() : "";
					Thread.ofVirtual().name("image-load").start(() -> runLoad(archive, platform, responses));
					if (message.hasOptions()) {
						archive.requestNext();
						return;
					}
				}
				if (message.hasOptions()) {
					archive.fail(new IllegalArgumentException("load options may only come in the first message"));
					return;
				}
				archive.add(message.getData());
			}

			@Override
			public void onError(Throwable cause) {
				archive.fail(cause);
			}

			@Override
			public void onCompleted() {
				if (!this.started) {
					this.started = true;
					Thread.ofVirtual().name("image-load").start(() -> runLoad(archive, "", responses));
				}
				archive.end();
			}

		};
	}

	private void runLoad(ChunkInputStream archive, String platform, StreamObserver<LoadResponse> responses) {
		try {
			LoadResult result = this.images.load(archive, platform.isEmpty() ? null : Platform.parse(platform),
					(event) -> responses.onNext(LoadResponse.newBuilder().setProgress(toMessage(event)).build()));
			archive.drain(MAX_TRAILING_BYTES);
			result.messages().forEach((line) -> responses.onNext(LoadResponse.newBuilder().setStream(line).build()));
			result.images().forEach((record) -> responses.onNext(LoadResponse.newBuilder().setImage(toMessage(record)).build()));
			responses.onCompleted();
		}
		catch (IOException | RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public StreamObserver<ImportRequest> import_(StreamObserver<ImportResponse> responses) {
		return new OptionsFirstStream<>("import", (ServerCallStreamObserver<ImportResponse>) responses,
				(message) -> message.hasOptions() ? toOptions(message.getOptions()) : null, ImportRequest::getData,
				(body, options) -> answerWithImage(responses, () -> this.images.importImage(body, options),
						(image) -> ImportResponse.newBuilder().setImage(image).build()));
	}

	/** What import and commit share: make the image, answer with it or with the failure's status. */
	private <R> void answerWithImage(StreamObserver<R> responses, ImageWork work, Function<Image, R> answer) {
		try {
			responses.onNext(answer.apply(toMessage(work.run())));
			responses.onCompleted();
		}
		catch (IOException | RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	/** An operation that makes an image from a stream. */
	private interface ImageWork {

		ImageRecord run() throws IOException;

	}

	private static ImportOptions toOptions(dev.berth.contracts.engine.v1.ImportOptions options) {
		String platform = options.getPlatform();
		return new ImportOptions(options.getRepository(), options.getTag(), options.getChangesList(), options.getMessage(),
				platform.isEmpty() ? null : Platform.parse(platform));
	}

	@Override
	public StreamObserver<CommitRequest> commit(StreamObserver<CommitResponse> responses) {
		return new OptionsFirstStream<>("commit", (ServerCallStreamObserver<CommitResponse>) responses,
				(message) -> message.hasOptions() ? toOptions(message.getOptions()) : null, CommitRequest::getData,
				(body, options) -> answerWithImage(responses, () -> this.images.commit(body, options),
						(image) -> CommitResponse.newBuilder().setImage(image).build()));
	}

	private static CommitOptions toOptions(dev.berth.contracts.engine.v1.CommitOptions options) {
		String parent = options.getParentImageId();
		return new CommitOptions(parent.isEmpty() ? null : Digest.parse(parent), options.getContainerId(),
				configObject(options.getContainerConfigJson(), "container config"),
				options.getConfigJson().isEmpty() ? null : configObject(options.getConfigJson(), "config"),
				options.getChangesList(), options.getRepository(), options.getTag(), options.getComment(),
				options.getAuthor());
	}

	/** A Docker Config sent as JSON: an object, or the call is refused. */
	private static ObjectNode configObject(ByteString json, String what) {
		JsonNode node;
		try {
			node = JSON.readTree(json.toByteArray());
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("the " + what + " is not valid JSON: " + ex.getOriginalMessage());
		}
		if (node instanceof ObjectNode object) {
			return object;
		}
		throw new IllegalArgumentException("the " + what + " is not a JSON object");
	}

	@Override
	public void history(HistoryRequest request, StreamObserver<HistoryResponse> responses) {
		try {
			HistoryResponse.Builder response = HistoryResponse.newBuilder();
			for (HistoryItem item : this.images.history(request.getName())) {
				response.addItems(dev.berth.contracts.engine.v1.HistoryItem.newBuilder()
					.setId(item.id())
					.setCreated(item.created())
					.setCreatedBy(item.createdBy())
					.addAllTags(item.tags())
					.setSize(item.size())
					.setComment(item.comment()));
			}
			responses.onNext(response.build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void push(PushRequest request, StreamObserver<PushResponse> responses) {
		try {
			RegistryCredentials credentials = RegistryCredentials.fromRegistryAuthHeader(request.getRegistryAuth());
			List<ImageService.PushedTag> pushed = this.images.push(request.getName(), request.getTag(), credentials,
					(event) -> responses.onNext(PushResponse.newBuilder().setProgress(toMessage(event)).build()));
			for (ImageService.PushedTag tag : pushed) {
				responses.onNext(PushResponse.newBuilder()
					.setPushed(PushedTag.newBuilder().setTag(tag.tag()).setDigest(tag.digest().toString()).setSize(tag.size()))
					.build());
			}
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void prune(PruneRequest request, StreamObserver<PruneResponse> responses) {
		try {
			PruneReport report = this.images.prune(filters(request.getFiltersMap()), users(request.getUsersList()));
			PruneResponse.Builder response = PruneResponse.newBuilder()
				.setSpaceReclaimed(report.spaceReclaimed())
				.addAllRemovedChainIds(removedChainIds(report.deleted()));
			report.deleted().forEach((item) -> response.addItems(toMessage(item)));
			responses.onNext(response.build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void diskUsage(DiskUsageRequest request, StreamObserver<DiskUsageResponse> responses) {
		try {
			DiskUsage usage = this.images.diskUsage(users(request.getUsersList()));
			DiskUsageResponse.Builder response = DiskUsageResponse.newBuilder()
				.setLayersSize(usage.layersSize())
				.setContentSize(usage.contentSize());
			for (DiskUsage.ImageUsage image : usage.images()) {
				response.addImages(ImageDiskUsage.newBuilder()
					.setImage(toMessage(image.record()))
					.setSharedSize(image.sharedSize())
					.setContainers(image.containers()));
			}
			responses.onNext(response.build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	@Override
	public void login(LoginRequest request, StreamObserver<LoginResponse> responses) {
		try {
			RegistryCredentials credentials = new RegistryCredentials(emptyToNull(request.getUsername()),
					emptyToNull(request.getPassword()), emptyToNull(request.getIdentityToken()), null);
			this.images.login(request.getServerAddress(), credentials);
			responses.onNext(LoginResponse.newBuilder().setStatus("Login Succeeded").build());
			responses.onCompleted();
		}
		catch (RuntimeException ex) {
			responses.onError(EngineErrors.toStatus(ex));
		}
	}

	private static String emptyToNull(String value) {
		return value.isEmpty() ? null : value;
	}

	private static Map<String, List<String>> filters(Map<String, FilterValues> filters) {
		Map<String, List<String>> result = new LinkedHashMap<>();
		filters.forEach((key, values) -> result.put(key, values.getValuesList()));
		return result;
	}

	/** Who uses which image, as lifecycle-service tells it. */
	private static ImageUsers users(List<ImageUser> users) {
		return (id) -> users.stream()
			.filter((user) -> Digest.parse(user.getImageId()).equals(id))
			.map((user) -> new ImageUsers.User(user.getContainerId(), user.getRunning()))
			.toList();
	}

	/** The layers a removal left without an image, for the nodes to free. */
	private static List<String> removedChainIds(List<ImageDeleteItem> items) {
		return items.stream().filter(ImageDeleteItem::layer).map(ImageDeleteItem::deleted).toList();
	}

	private static DeleteItem toMessage(ImageDeleteItem item) {
		return ((item.untagged() != null) ? DeleteItem.newBuilder().setUntagged(item.untagged())
				: DeleteItem.newBuilder().setDeleted(item.deleted())).build();
	}

	private static Progress toMessage(ProgressEvent event) {
		return Progress.newBuilder()
			.setId((event.id() != null) ? event.id() : "")
			.setStatus(event.status())
			.setCurrent(event.current())
			.setTotal(event.total())
			.build();
	}

	private Image toMessage(ImageRecord record) {
		Image.Builder image = Image.newBuilder()
			.setId(record.id().toString())
			.addAllRepoTags(this.images.repoTags(record))
			.addAllRepoDigests(this.images.repoDigests(record))
			.setParent((record.parent() != null) ? record.parent().toString() : "")
			.setCreated((record.created() != null) ? record.created().getEpochSecond() : 0)
			.setSize(record.size())
			.setConfigJson(ByteString.copyFrom(this.images.configBytes(record)))
			.setManifestMediaType((record.manifestMediaType() != null) ? record.manifestMediaType() : "")
			.setLastTagTime((record.lastTagTime() != null) ? record.lastTagTime().toString() : "");
		List<Digest> chainIds = record.chainIds();
		for (int i = 0; i < record.layers().size(); i++) {
			ImageRecord.Layer layer = record.layers().get(i);
			image.addLayers(Layer.newBuilder()
				.setBlobDigest(layer.blob().toString())
				.setMediaType((layer.mediaType() != null) ? layer.mediaType() : "")
				.setSize(layer.size())
				.setDiffId(layer.diffId().toString())
				.setUnpackedSize(layer.unpackedSize())
				.setChainId(chainIds.get(i).toString()));
		}
		return image.build();
	}

}
