package dev.berth.gateway.image;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /images/prune}: swagger's ImagePruneResponse. */
record ImagePruneResponse(@JsonProperty("ImagesDeleted") List<ImageDeleteResponseItem> imagesDeleted,
		@JsonProperty("SpaceReclaimed") long spaceReclaimed) {
}
