package dev.berth.gateway.lifecycle;

import java.util.List;

import io.grpc.StatusRuntimeException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

import dev.berth.contracts.lifecycle.v1.NodeServiceGrpc;
import dev.berth.contracts.lifecycle.v1.RemoveLayersRequest;

/**
 * Frees the nodes' unpacked copies of the layers an rmi or prune left without an image: engine-service names them,
 * lifecycle-service asks every node, and each node keeps those a container still stands on.
 */
@Component
public class UnusedLayers {

	private static final Log logger = LogFactory.getLog(UnusedLayers.class);

	private final NodeServiceGrpc.NodeServiceBlockingStub nodes;

	UnusedLayers(NodeServiceGrpc.NodeServiceBlockingStub nodes) {
		this.nodes = nodes;
	}

	/**
	 * Asks the nodes to free these layers. The images are gone by now and the client is told so whatever happens
	 * here: a node that could not free a layer only keeps a copy nothing uses, so a failure is logged, not answered.
	 */
	public void release(List<String> chainIds) {
		if (chainIds.isEmpty()) {
			return;
		}
		try {
			this.nodes.removeLayers(RemoveLayersRequest.newBuilder().addAllChainIds(chainIds).build());
		}
		catch (StatusRuntimeException ex) {
			logger.warn("unpacked layers " + chainIds + " not freed on the nodes: " + ex.getStatus());
		}
	}

}
