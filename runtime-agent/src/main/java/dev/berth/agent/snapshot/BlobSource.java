package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;

/** Where layer blobs come from: engine-service's content store, over gRPC or on this disk. */
@FunctionalInterface
public interface BlobSource {

	/** Opens a blob by digest ({@code sha256:<hex>}); the reader checks what it gets. */
	InputStream open(String digest) throws IOException;

}
