package dev.berth.lifecycle.node;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import dev.berth.contracts.agent.v1.RemoveLayersRequest;
import dev.berth.contracts.agent.v1.RemoveLayersResponse;

/**
 * Unpacked image layers across the nodes. engine-service names the layers no image needs any more when it deletes
 * images; any node may hold a copy, so each is asked, and each keeps those its containers still stand on.
 */
@Component
public class NodeLayers {

	private final Nodes nodes;

	NodeLayers(Nodes nodes) {
		this.nodes = nodes;
	}

	/** What {@link #remove} did, over all nodes: a layer one node removed and another kept is in both lists. */
	public record Removal(List<String> removed, List<String> inUse) {
	}

	public Removal remove(List<String> chainIds) {
		Set<String> removed = new LinkedHashSet<>();
		Set<String> inUse = new LinkedHashSet<>();
		if (chainIds.isEmpty()) {
			return new Removal(List.of(), List.of());
		}
		RemoveLayersRequest request = RemoveLayersRequest.newBuilder().addAllChainIds(chainIds).build();
		for (Node node : this.nodes.all()) {
			RemoveLayersResponse response = node.snapshots().removeLayers(request);
			removed.addAll(response.getRemovedList());
			inUse.addAll(response.getInUseList());
		}
		return new Removal(List.copyOf(removed), List.copyOf(inUse));
	}

}
