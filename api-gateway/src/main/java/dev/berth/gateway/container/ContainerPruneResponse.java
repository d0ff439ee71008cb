package dev.berth.gateway.container;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /containers/prune}: swagger's ContainerPruneResponse. */
record ContainerPruneResponse(@JsonProperty("ContainersDeleted") List<String> containersDeleted,
		@JsonProperty("SpaceReclaimed") long spaceReclaimed) {
}
