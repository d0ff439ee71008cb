package dev.berth.engine.image;

import java.util.List;

/**
 * The images part of {@code docker system df}. All sizes are unpacked layer bytes, the unit of
 * {@code docker images} SIZE and of dockerd's own df, so that they add up: the CLI shows
 * RECLAIMABLE as {@code layersSize} minus the unique size of the images in use, which only
 * makes sense when both count the same bytes.
 *
 * @param images every image with its sizes
 * @param layersSize the unpacked size of every layer stack here, each counted once however many
 * images share it (by chain ID: a layer is shared when it sits on the same layers below, which is
 * also when nodes share its unpacked snapshot)
 * @param contentSize the bytes of every blob in the content store, compressed as stored: what
 * images take on this engine's disk, garbage included
 */
public record DiskUsage(List<ImageUsage> images, long layersSize, long contentSize) {

	public DiskUsage {
		images = List.copyOf(images);
	}

	/**
	 * One image's share.
	 *
	 * @param record the image
	 * @param size its unpacked size, as {@code docker images} shows it
	 * @param sharedSize the unpacked size of its layers that another image has too (same chain ID)
	 * @param containers how many containers use it
	 */
	public record ImageUsage(ImageRecord record, long size, long sharedSize, int containers) {
	}

}
