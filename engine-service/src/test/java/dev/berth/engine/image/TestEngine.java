package dev.berth.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.registry.Platform;
import dev.berth.engine.registry.ProgressEvent;
import dev.berth.engine.registry.Registries;
import dev.berth.engine.registry.RegistryHosts;

import static org.assertj.core.api.Assertions.assertThat;

/** An engine's stores and service on a data root of its own, as EngineConfiguration builds them. */
record TestEngine(Path root, ImageStore store, ContentStore content, ImageService images) {

	/** For engines that never reach a registry: one client for all of them, never closed. */
	private static final Registries OFFLINE = new Registries(new RegistryHosts(List.of(), List.of()), 1);

	/** An engine whose tests load, import or build images but pull nothing. */
	static TestEngine open(Path root) {
		return open(root, OFFLINE);
	}

	static TestEngine open(Path root, ArchiveLimits limits) {
		return open(root, OFFLINE, limits);
	}

	static TestEngine open(Path root, Registries registries) {
		return open(root, registries, ArchiveLimits.DEFAULT);
	}

	static TestEngine open(Path root, Registries registries, ArchiveLimits limits) {
		return open(root, registries, limits, ImageEvents.NONE);
	}

	/** An engine that reports its image events to {@code events}. */
	static TestEngine open(Path root, ImageEvents events) {
		return open(root, OFFLINE, ArchiveLimits.DEFAULT, events);
	}

	private static TestEngine open(Path root, Registries registries, ArchiveLimits limits, ImageEvents events) {
		ImageStore store = new ImageStore(root.resolve("image"));
		ContentStore content = new ContentStore(root.resolve("content"));
		return new TestEngine(root, store, content,
				new ImageService(store, content, registries, Clock.systemUTC(), limits, events));
	}

	LoadResult load(Path archive) throws IOException {
		return load(archive, null, new ArrayList<>());
	}

	LoadResult load(Path archive, Platform platform, List<ProgressEvent> progress) throws IOException {
		try (InputStream in = Files.newInputStream(archive)) {
			return this.images.load(in, platform, progress::add);
		}
	}

	Path save(Path archive, String... names) throws IOException {
		try (var out = Files.newOutputStream(archive)) {
			this.images.save(List.of(names)).writeTo(out);
		}
		return archive;
	}

	/** Bytes of the committed blobs, by listing the store's directory rather than asking the store. */
	long blobBytes() throws IOException {
		try (Stream<Path> files = Files.list(this.root.resolve("content/blobs/sha256"))) {
			long total = 0;
			for (Path file : files.toList()) {
				total += Files.size(file);
			}
			return total;
		}
	}

	/** Nothing recorded, tagged, stored or left staged: the state a failed load must leave. */
	void assertEmpty() throws IOException {
		assertThat(this.images.list(Map.of(), true)).isEmpty();
		assertThat(this.store.allTags()).isEmpty();
		assertThat(this.root.resolve("content/blobs/sha256")).isEmptyDirectory();
		assertThat(this.root.resolve("content/tmp")).isEmptyDirectory();
	}

}
