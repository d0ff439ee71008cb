package dev.berth.lifecycle.api;

import io.grpc.stub.StreamObserver;

import org.springframework.grpc.server.service.GrpcService;

import dev.berth.contracts.lifecycle.v1.NodeServiceGrpc;
import dev.berth.contracts.lifecycle.v1.RemoveLayersRequest;
import dev.berth.contracts.lifecycle.v1.RemoveLayersResponse;
import dev.berth.lifecycle.node.NodeLayers;

/** {@code berth.lifecycle.v1.NodeService}: what concerns every node at once. */
@GrpcService
class NodeGrpcService extends NodeServiceGrpc.NodeServiceImplBase {

	private final NodeLayers layers;

	NodeGrpcService(NodeLayers layers) {
		this.layers = layers;
	}

	@Override
	public void removeLayers(RemoveLayersRequest request, StreamObserver<RemoveLayersResponse> observer) {
		ContainerGrpcService.unary(observer, () -> {
			NodeLayers.Removal removal = this.layers.remove(request.getChainIdsList());
			return RemoveLayersResponse.newBuilder()
				.addAllRemoved(removal.removed())
				.addAllInUse(removal.inUse())
				.build();
		});
	}

}
