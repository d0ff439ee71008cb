package dev.berth.engine.image;

import java.util.List;

/**
 * What {@code docker image prune} did, Docker's {@code ImagePruneResponse}.
 *
 * @param deleted the references untagged and the images and layers deleted, in order
 * @param spaceReclaimed the bytes of the blobs (layers, configs, manifests) removed from the
 * content store: what the prune gave back on this engine's disk
 */
public record PruneReport(List<ImageDeleteItem> deleted, long spaceReclaimed) {

	public PruneReport {
		deleted = List.copyOf(deleted);
	}

}
