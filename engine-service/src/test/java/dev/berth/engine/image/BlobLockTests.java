package dev.berth.engine.image;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.testing.Fixtures;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A prune deletes blobs, an import adds them: the prune waits until the import has recorded its
 * image, so it can never take a layer from under an image being made.
 */
class BlobLockTests {

	@TempDir
	Path temp;

	@Test
	void aPruneWaitsForAnImportUnderWay() throws Exception {
		TestEngine engine = TestEngine.open(this.temp.resolve("engine"));
		byte[] rootfs = TestArchives.unpacked(TestArchives.layerBlobs(Fixtures.layout(Fixtures.BUSYBOX)).get(0));
		PipedOutputStream feed = new PipedOutputStream();
		PipedInputStream body = new PipedInputStream(feed, 64 * 1024);
		CompletableFuture<ImageRecord> importing = CompletableFuture.supplyAsync(() -> {
			try {
				return engine.images().importImage(body, ImportOptions.defaults());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		feed.write(rootfs, 0, rootfs.length / 2);
		CompletableFuture<PruneReport> pruning = CompletableFuture
			.supplyAsync(() -> engine.images().prune(Map.of(), ImageUsers.NONE));
		// the import holds the blob lock until its image is recorded: the prune cannot have run
		Thread.sleep(300);
		assertThat(pruning).isNotDone();
		feed.write(rootfs, rootfs.length / 2, rootfs.length - rootfs.length / 2);
		feed.close();
		ImageRecord imported = importing.get(30, TimeUnit.SECONDS);
		PruneReport pruned = pruning.get(30, TimeUnit.SECONDS);
		// then it ran, after the import: the new untagged image was dangling, and it went
		assertThat(pruned.deleted()).contains(ImageDeleteItem.deleted(imported.id().toString()));
		assertThat(engine.images().list(Map.of(), true)).extracting(ImageRecord::id).doesNotContain(imported.id());
		assertThat(engine.images().list(Map.of(), true)).isEqualTo(List.of());
	}

}
