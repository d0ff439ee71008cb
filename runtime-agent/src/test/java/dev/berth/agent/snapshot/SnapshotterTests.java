package dev.berth.agent.snapshot;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.contracts.agent.v1.Mount;
import dev.berth.runtime.linux.JnaLinuxSyscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Container root filesystems from layers: each layer unpacked once per node, checked against its
 * blob digest and diff ID, stacked as a real overlayfs with the container's writes in its own
 * upper directory.
 */
@Tag("privileged")
class SnapshotterTests {

	@TempDir
	Path root;

	private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

	private final AtomicInteger opens = new AtomicInteger();

	private final List<Snapshotter.Progress> progress = new CopyOnWriteArrayList<>();

	private Trash trash;

	@AfterEach
	void closeTrash() {
		if (this.trash != null) {
			this.trash.close();
		}
	}

	private Snapshotter snapshotter() {
		this.trash = new Trash(this.root.resolve("trash"));
		return new Snapshotter(this.root.resolve("snapshots"), (digest) -> {
			this.opens.incrementAndGet();
			byte[] blob = this.blobs.get(digest);
			if (blob == null) {
				throw new IOException("no blob " + digest);
			}
			return new ByteArrayInputStream(blob);
		}, new LayerUnpacker(), this.trash);
	}

	private LayerRef layer(byte[] tar, boolean gzip) {
		byte[] blob = gzip ? TarBuilder.gzip(tar) : tar;
		String digest = sha256(blob);
		this.blobs.put(digest, blob);
		return new LayerRef(digest, gzip ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar",
				blob.length, sha256(tar));
	}

	private LayerRef lower() {
		return layer(new TarBuilder().directory("etc/")
			.file("etc/hostname", "lower")
			.file("etc/gone", "whited out above")
			.directory("bin/")
			.file("bin/tool", "#!/bin/sh\n")
			.tar(), true);
	}

	private LayerRef upper() {
		return layer(new TarBuilder().directory("etc/").file("etc/.wh.gone", "").file("etc/motd", "upper").tar(), false);
	}

	@Test
	void layersStackAsAnOverlayAndWritesLandInTheContainersUpperDirectory() throws Exception {
		Snapshotter snapshotter = snapshotter();
		Snapshotter.Prepared prepared = snapshotter.prepare("c1", List.of(lower(), upper()), this.progress::add);
		assertThat(prepared.chainIds()).hasSize(2);
		assertThat(prepared.mounts()).singleElement().satisfies((mount) -> {
			assertThat(mount.getType()).isEqualTo("overlay");
			assertThat(mount.getOptionsList()).anySatisfy((o) -> assertThat(o).startsWith("lowerdir="));
		});
		assertThat(this.progress).extracting(Snapshotter.Progress::status).contains("Extracting", "Pull complete");
		Mount mount = prepared.mounts().get(0);
		Path merged = Files.createDirectory(this.root.resolve("merged"));
		List<String> seen = PrivateMounts.run(() -> {
			JnaLinuxSyscalls.INSTANCE.mount(mount.getSource(), merged.toString(), mount.getType(), 0,
					String.join(",", mount.getOptionsList()));
			try {
				Files.writeString(merged.resolve("etc/new"), "written by the container");
				return List.of(Files.readString(merged.resolve("etc/hostname")), Files.readString(merged.resolve("etc/motd")),
						String.valueOf(Files.exists(merged.resolve("etc/gone"))));
			}
			finally {
				JnaLinuxSyscalls.INSTANCE.umount(merged.toString(), 0);
			}
		});
		assertThat(seen).containsExactly("lower", "upper", "false");
		Path upperDir = this.root.resolve("snapshots/containers/c1/upper");
		assertThat(Files.readString(upperDir.resolve("etc/new"))).isEqualTo("written by the container");
		// the image layers were not touched by the write
		for (String chainId : prepared.chainIds()) {
			assertThat(this.root.resolve("snapshots/layers/" + chainId.substring(7) + "/diff/etc/new")).doesNotExist();
		}
		snapshotter.remove("c1");
		assertThat(this.root.resolve("snapshots/containers/c1")).doesNotExist();
		this.trash.drain();
		assertThat(this.root.resolve("trash")).isEmptyDirectory();
		assertThat(snapshotter.hasLayer(prepared.chainIds().get(1))).isTrue();
	}

	@Test
	void aLayerIsUnpackedOncePerNodeEvenWhenContainersAskAtOnce() throws Exception {
		Snapshotter snapshotter = snapshotter();
		List<LayerRef> stack = List.of(lower(), upper());
		List<CompletableFuture<Snapshotter.Prepared>> racing = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			String key = "racer" + i;
			racing.add(CompletableFuture.supplyAsync(() -> snapshotter.prepare(key, stack, (p) -> {
			})));
		}
		for (CompletableFuture<Snapshotter.Prepared> prepared : racing) {
			assertThat(prepared.get().chainIds()).hasSize(2);
		}
		assertThat(this.opens).hasValue(2);
		snapshotter.prepare("later", stack, this.progress::add);
		assertThat(this.opens).hasValue(2);
		assertThat(this.progress).extracting(Snapshotter.Progress::status).containsOnly("Already exists");
		// preparing a container again (a restart) gives the snapshot it has; another stack is refused
		Path upperDir = this.root.resolve("snapshots/containers/later/upper");
		Files.writeString(upperDir.resolve("kept"), "written before the restart");
		assertThat(snapshotter.prepare("later", stack, (p) -> {
		}).chainIds()).hasSize(2);
		assertThat(upperDir.resolve("kept")).hasContent("written before the restart");
		// a new snapshotter on the same store finds the layers: nothing is fetched after a restart
		snapshotter().prepare("after-restart", stack, (p) -> {
		});
		assertThat(this.opens).hasValue(2);
		assertThatThrownBy(() -> snapshotter.prepare("later", List.of(lower()), (p) -> {
		})).isInstanceOf(SnapshotExistsException.class);
	}

	@Test
	void layersThatDoNotMatchTheirDiffIdsAreRefusedAndLeaveNothing() throws Exception {
		Snapshotter snapshotter = snapshotter();
		LayerRef good = lower();
		LayerRef wrongDiff = new LayerRef(good.blobDigest(), good.mediaType(), good.size(), sha256("other".getBytes()));
		assertThatThrownBy(() -> snapshotter.prepare("c", List.of(wrongDiff), (p) -> {
		})).isInstanceOf(SnapshotException.class).hasMessageContaining("unpacks to " + good.diffId());
		byte[] tampered = TarBuilder.gzip(new TarBuilder().file("etc/hostname", "tampered").tar());
		this.blobs.put(good.blobDigest(), tampered);
		assertThatThrownBy(() -> snapshotter.prepare("c", List.of(good), (p) -> {
		})).isInstanceOf(SnapshotException.class).hasMessageContaining("but the image says " + good.diffId());
		LayerRef escaping = layer(new TarBuilder().file("../../outside", "x").tar(), true);
		assertThatThrownBy(() -> snapshotter.prepare("c", List.of(escaping), (p) -> {
		})).isInstanceOf(SnapshotException.class).hasMessageContaining("refused");
		assertThatThrownBy(() -> snapshotter.prepare("../c", List.of(good), (p) -> {
		})).isInstanceOf(SnapshotException.class).hasMessageContaining("invalid snapshot key");
		assertThatThrownBy(() -> snapshotter.prepare("c", List.of(new LayerRef("sha256:../x", null, 1, good.diffId())), (p) -> {
		})).isInstanceOf(SnapshotException.class).hasMessageContaining("must be sha256");
		try (var entries = Files.list(this.root.resolve("snapshots/layers"))) {
			assertThat(entries.toList()).isEmpty();
		}
		assertThat(this.root.resolve("snapshots/containers")).isEmptyDirectory();
		assertThat(this.root.resolve("outside")).doesNotExist();
	}

	@Test
	void layersNoImageNeedsAreRemovedUnlessAContainerStandsOnThem() {
		Snapshotter snapshotter = snapshotter();
		List<LayerRef> stack = List.of(lower(), upper());
		Snapshotter.Prepared prepared = snapshotter.prepare("user", stack, (p) -> {
		});
		Snapshotter.Removal kept = snapshotter.removeLayers(prepared.chainIds());
		assertThat(kept.removed()).isEmpty();
		assertThat(kept.inUse()).containsExactlyElementsOf(prepared.chainIds());
		snapshotter.remove("user");
		Snapshotter.Removal removal = snapshotter.removeLayers(prepared.chainIds());
		assertThat(removal.removed()).containsExactlyElementsOf(prepared.chainIds());
		assertThat(this.root.resolve("snapshots/layers")).isEmptyDirectory();
		assertThat(this.root.resolve("snapshots/l")).isEmptyDirectory();
		// and the next container unpacks them again
		snapshotter.prepare("again", stack, (p) -> {
		});
		assertThat(this.opens).hasValue(4);
		assertThatThrownBy(() -> snapshotter.removeLayers(List.of("../../etc"))).isInstanceOf(SnapshotException.class);
	}

	@Test
	void anImageWithoutLayersStandsOnTheInitLayerAlone() {
		Snapshotter.Prepared prepared = snapshotter().prepare("scratch", List.of(), (p) -> {
		});
		assertThat(prepared.chainIds()).isEmpty();
		Path init = this.root.resolve("snapshots/containers/scratch/init");
		assertThat(prepared.mounts().get(0).getOptions(0)).isEqualTo("lowerdir=" + init);
		assertThat(init.resolve("etc/hosts")).isEmptyFile();
		assertThat(init.resolve("proc")).isDirectory();
	}

	@Test
	void localBlobsAreReadFromTheEnginesStoreBeforeAskingIt() throws IOException {
		byte[] blob = "blob".getBytes(StandardCharsets.UTF_8);
		String digest = sha256(blob);
		Path content = this.root.resolve("content");
		Files.createDirectories(content.resolve("blobs/sha256"));
		Files.write(content.resolve("blobs/sha256").resolve(digest.substring(7)), blob);
		AtomicInteger remote = new AtomicInteger();
		LocalBlobs local = new LocalBlobs(content, (d) -> {
			remote.incrementAndGet();
			return InputStream.nullInputStream();
		});
		try (InputStream in = local.open(digest)) {
			assertThat(in.readAllBytes()).isEqualTo(blob);
		}
		local.open(sha256("elsewhere".getBytes())).close();
		assertThat(remote).hasValue(1);
	}

	static String sha256(byte[] data) {
		try {
			return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
