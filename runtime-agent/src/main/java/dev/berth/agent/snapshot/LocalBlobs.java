package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Blobs read straight from engine-service's content store when it is on this machine (the
 * single-node engine), which saves streaming every layer through gRPC; anything not found there
 * comes from {@code fallback}. The reader checks digests either way.
 */
final class LocalBlobs implements BlobSource {

	private final Path blobs;

	private final BlobSource fallback;

	LocalBlobs(Path contentRoot, BlobSource fallback) {
		this.blobs = contentRoot.resolve("blobs").resolve("sha256");
		this.fallback = fallback;
	}

	@Override
	public InputStream open(String digest) throws IOException {
		Path file = this.blobs.resolve(digest.substring("sha256:".length()));
		if (Files.isRegularFile(file)) {
			return Files.newInputStream(file);
		}
		return this.fallback.open(digest);
	}

}
