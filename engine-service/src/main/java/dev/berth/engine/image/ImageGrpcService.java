package dev.berth.engine.image;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;

import dev.berth.contracts.engine.v1.DeleteItem;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
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
import dev.berth.contracts.engine.v1.PullRequest;
import dev.berth.contracts.engine.v1.PullResponse;
import dev.berth.contracts.engine.v1.RemoveRequest;
import dev.berth.contracts.engine.v1.RemoveResponse;
import dev.berth.contracts.engine.v1.TagRequest;
import dev.berth.contracts.engine.v1.TagResponse;
import dev.berth.engine.EngineErrors;
import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.Platform;
import dev.berth.engine.registry.ProgressEvent;
import dev.berth.engine.registry.RegistryCredentials;

import org.springframework.stereotype.Service;

/** {@code berth.engine.v1.ImageService}: parses requests, calls {@link ImageService}, answers. */
@Service
class ImageGrpcService extends ImageServiceGrpc.ImageServiceImplBase {

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
			Map<String, List<String>> filters = new LinkedHashMap<>();
			request.getFiltersMap().forEach((key, values) -> filters.put(key, values.getValuesList()));
			ListResponse.Builder response = ListResponse.newBuilder();
			this.images.list(filters, request.getAll()).forEach((record) -> response.addImages(toMessage(record)));
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
			ImageUsers users = (id) -> request.getUsersList()
				.stream()
				.filter((user) -> Digest.parse(user.getImageId()).equals(id))
				.map((user) -> new ImageUsers.User(user.getContainerId(), user.getRunning()))
				.toList();
			RemoveResponse.Builder response = RemoveResponse.newBuilder();
			for (ImageDeleteItem item : this.images.remove(request.getName(), request.getForce(), users)) {
				response.addItems((item.untagged() != null) ? DeleteItem.newBuilder().setUntagged(item.untagged())
						: DeleteItem.newBuilder().setDeleted(item.deleted()));
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
