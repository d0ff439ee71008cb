package dev.berth.lifecycle.image;

import java.util.Iterator;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.SnapshotLayer;
import dev.berth.contracts.channel.ServiceChannels;
import dev.berth.contracts.engine.v1.CommitOptions;
import dev.berth.contracts.engine.v1.CommitRequest;
import dev.berth.contracts.engine.v1.CommitResponse;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.InspectRequest;
import dev.berth.lifecycle.LifecycleProperties;
import dev.berth.lifecycle.NotFoundException;

/** engine-service's images, as containers use them: resolved by name or ID, with their layers. */
@Component
public class Images implements DisposableBean {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ManagedChannel channel;

	private final ImageServiceGrpc.ImageServiceBlockingStub images;

	private final ImageServiceGrpc.ImageServiceStub asyncImages;

	public Images(LifecycleProperties properties) {
		this.channel = ServiceChannels.open(properties.engine());
		this.images = ImageServiceGrpc.newBlockingStub(this.channel);
		this.asyncImages = ImageServiceGrpc.newStub(this.channel);
	}

	/**
	 * The image {@code reference} names, as {@code docker run} resolves it.
	 * @throws NotFoundException {@code No such image: busybox:latest}, which makes the CLI pull
	 */
	public ResolvedImage resolve(String reference) {
		Image image;
		try {
			image = this.images.inspect(InspectRequest.newBuilder().setName(reference).build()).getImage();
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() == Status.Code.NOT_FOUND) {
				throw new NotFoundException(ex.getStatus().getDescription());
			}
			throw ex;
		}
		JsonNode config = JSON.readTree(image.getConfigJson().toByteArray());
		return new ResolvedImage(image.getId(), (ObjectNode) config,
				image.getLayersList()
					.stream()
					.map((layer) -> SnapshotLayer.newBuilder()
						.setBlobDigest(layer.getBlobDigest())
						.setMediaType(layer.getMediaType())
						.setSize(layer.getSize())
						.setDiffId(layer.getDiffId())
						.build())
					.toList());
	}

	/**
	 * {@code docker commit}'s image: the options, then the container's layer tar chunk by chunk,
	 * each sent only when the engine takes it, so a large layer passes through without piling up
	 * here. An engine that refuses the options early (a bad change) ends the sending at once.
	 * @throws StatusRuntimeException the engine's status, for the caller to pass on
	 */
	public Image commit(CommitOptions options, Iterator<ByteString> layer) {
		ImageUpload<CommitRequest, CommitResponse> upload = new ImageUpload<>();
		this.asyncImages.commit(upload);
		try {
			upload.send(CommitRequest.newBuilder().setOptions(options).build());
			while (layer.hasNext() && upload.send(CommitRequest.newBuilder().setData(layer.next()).build())) {
				// sent; send() waited for the engine to take it
			}
		}
		catch (RuntimeException ex) {
			upload.cancel("the container's layer could not be read", ex);
			throw ex;
		}
		return upload.finish().getImage();
	}

	@Override
	public void destroy() {
		this.channel.shutdownNow();
	}

}
