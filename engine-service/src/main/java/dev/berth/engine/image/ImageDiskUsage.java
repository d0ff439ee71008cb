package dev.berth.engine.image;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.berth.engine.content.ContentException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;

/**
 * Computes {@link DiskUsage}. Layers are counted by chain ID rather than by blob or diff ID: the
 * same content at another depth is another layer stack, unpacked separately on every node, and
 * it is how dockerd counts its layer store, so SharedSize and LayersSize mean what they mean
 * there.
 */
final class ImageDiskUsage {

	private final ImageStore images;

	private final ContentStore content;

	ImageDiskUsage(ImageStore images, ContentStore content) {
		this.images = images;
		this.content = content;
	}

	DiskUsage diskUsage(ImageUsers users) {
		List<ImageRecord> records = this.images.list();
		Map<Digest, Integer> imagesPerChain = new HashMap<>();
		Map<Digest, Long> chainSizes = new HashMap<>();
		for (ImageRecord record : records) {
			List<Digest> chain = record.chainIds();
			for (int i = 0; i < chain.size(); i++) {
				imagesPerChain.merge(chain.get(i), 1, Integer::sum);
				chainSizes.putIfAbsent(chain.get(i), record.layers().get(i).unpackedSize());
			}
		}
		List<DiskUsage.ImageUsage> usages = new ArrayList<>();
		for (ImageRecord record : records) {
			List<Digest> chain = record.chainIds();
			long shared = 0;
			for (int i = 0; i < chain.size(); i++) {
				if (imagesPerChain.get(chain.get(i)) > 1) {
					shared += record.layers().get(i).unpackedSize();
				}
			}
			usages.add(new DiskUsage.ImageUsage(record, record.size(), shared, users.usersOf(record.id()).size()));
		}
		long layersSize = chainSizes.values().stream().mapToLong(Long::longValue).sum();
		long contentSize = 0;
		for (Digest blob : this.content.list()) {
			try {
				contentSize += this.content.size(blob);
			}
			catch (ContentException ex) {
				// deleted while we counted: it takes no space any more
			}
		}
		return new DiskUsage(usages, layersSize, contentSize);
	}

}
