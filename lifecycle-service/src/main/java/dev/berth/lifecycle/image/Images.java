package dev.berth.lifecycle.image;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.SnapshotLayer;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.InspectRequest;
import dev.berth.lifecycle.LifecycleProperties;
import dev.berth.lifecycle.NotFoundException;

/** engine-service's images, as containers use them: resolved by name or ID, with their layers. */
@Component
public class Images implements DisposableBean {

	private static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ManagedChannel channel;

	private final ImageServiceGrpc.ImageServiceBlockingStub images;

	public Images(LifecycleProperties properties) {
		// plaintext: engine-service listens on loopback beside this service
		this.channel = ManagedChannelBuilder.forTarget(properties.engine())
			.usePlaintext()
			.maxInboundMessageSize(MAX_MESSAGE_SIZE)
			.build();
		this.images = ImageServiceGrpc.newBlockingStub(this.channel);
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

	@Override
	public void destroy() {
		this.channel.shutdownNow();
	}

}
