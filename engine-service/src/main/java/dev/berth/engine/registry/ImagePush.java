package dev.berth.engine.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;

/**
 * One {@code docker push}: each blob the registry lacks is mounted from another repository of
 * the same registry when one is known to hold it, otherwise uploaded (in one request when small,
 * in chunks when large, so a broken connection costs a chunk), then the manifest is put under the
 * tag. Blobs the registry already has are only checked.
 */
final class ImagePush {

	/** Blobs up to this size go up in one PUT; larger ones in PATCH chunks of this size. */
	static final long CHUNK_SIZE = 16L << 20;

	private final RegistrySession session;

	private final ContentStore store;

	private final PushContent content;

	private final int maxConcurrentUploads;

	private final ProgressListener progress;

	ImagePush(RegistrySession session, ContentStore store, PushContent content, int maxConcurrentUploads,
			ProgressListener progress) {
		this.session = session;
		this.store = store;
		this.content = content;
		this.maxConcurrentUploads = maxConcurrentUploads;
		this.progress = progress;
	}

	/** Pushes and returns the manifest digest the registry confirmed. */
	Digest run() {
		Map<Digest, Descriptor> layers = new LinkedHashMap<>();
		this.content.layers().forEach((layer) -> layers.putIfAbsent(layer.digest(), layer));
		layers.values().forEach((layer) -> this.progress.onProgress(ProgressEvent.status(layer.digest().shortId(), "Preparing")));
		LayerTransfers.run(layers.values(), this.maxConcurrentUploads, this.progress,
				(layer) -> pushBlob(layer, this.progress));
		pushBlob(this.content.config(), ProgressListener.NONE);
		return putManifest();
	}

	private void pushBlob(Descriptor blob, ProgressListener listener) {
		String id = blob.digest().shortId();
		if (exists(blob.digest())) {
			listener.onProgress(ProgressEvent.status(id, "Layer already exists"));
			return;
		}
		String source = this.content.mountSources().get(blob.digest());
		URI location = startUpload(blob.digest(), source);
		if (location == null) {
			listener.onProgress(ProgressEvent.status(id, "Mounted from " + source));
			return;
		}
		if (blob.size() <= CHUNK_SIZE) {
			finishUpload(location, blob, bodyOf(blob.digest(), 0, blob.size()), blob.size());
		}
		else {
			long offset = 0;
			while (offset < blob.size()) {
				long length = Math.min(CHUNK_SIZE, blob.size() - offset);
				location = patch(location, blob.digest(), offset, length);
				offset += length;
				listener.onProgress(new ProgressEvent(id, "Pushing", offset, blob.size()));
			}
			finishUpload(location, blob, HttpRequest.BodyPublishers.noBody(), 0);
		}
		listener.onProgress(ProgressEvent.status(id, "Pushed"));
	}

	private boolean exists(Digest digest) {
		HttpResponse<InputStream> response = this.session.send("HEAD", blobUri(digest), Map.of(),
				HttpRequest.BodyPublishers.noBody());
		RegistrySession.closeQuietly(response.body());
		if (response.statusCode() == 200) {
			return true;
		}
		if (response.statusCode() == 404) {
			return false;
		}
		throw this.session.failure(response.statusCode(), new byte[0], "blob " + digest);
	}

	/** Starts an upload, or mounts the blob: null means mounted, nothing to send. */
	private URI startUpload(Digest digest, String mountFrom) {
		String path = "/v2/" + this.session.repository() + "/blobs/uploads/";
		if (mountFrom != null) {
			path += "?mount=" + digest + "&from=" + mountFrom;
		}
		HttpResponse<InputStream> response = this.session.send("POST", this.session.endpoint().resolve(path),
				Map.of(), HttpRequest.BodyPublishers.noBody());
		byte[] body = RegistrySession.readCapped(response, 64 * 1024, "upload of " + digest);
		if (response.statusCode() == 201 && mountFrom != null) {
			return null;
		}
		if (response.statusCode() != 202) {
			throw pushFailure(response.statusCode(), body, "upload of " + digest);
		}
		return location(response, "upload of " + digest);
	}

	private URI patch(URI location, Digest digest, long offset, long length) {
		HttpResponse<InputStream> response = this.session.send("PATCH", location,
				Map.of("Content-Type", "application/octet-stream", "Content-Range", offset + "-" + (offset + length - 1)),
				bodyOf(digest, offset, length));
		byte[] body = RegistrySession.readCapped(response, 64 * 1024, "chunk of " + digest);
		if (response.statusCode() != 202) {
			throw pushFailure(response.statusCode(), body, "chunk of " + digest + " at " + offset);
		}
		return location(response, "chunk of " + digest);
	}

	private void finishUpload(URI location, Descriptor blob, HttpRequest.BodyPublisher body, long length) {
		String separator = (location.getRawQuery() == null) ? "?" : "&";
		URI put = URI.create(location + separator + "digest=" + blob.digest());
		HttpResponse<InputStream> response = this.session.send("PUT", put,
				Map.of("Content-Type", "application/octet-stream"), body);
		byte[] answer = RegistrySession.readCapped(response, 64 * 1024, "upload of " + blob.digest());
		if (response.statusCode() != 201) {
			throw pushFailure(response.statusCode(), answer, "upload of " + blob.digest());
		}
	}

	private Digest putManifest() {
		URI uri = this.session.endpoint().resolve("/v2/" + this.session.repository() + "/manifests/" + this.content.tag());
		HttpResponse<InputStream> response = this.session.send("PUT", uri,
				Map.of("Content-Type", this.content.manifestMediaType()),
				HttpRequest.BodyPublishers.ofByteArray(this.content.manifest()));
		byte[] body = RegistrySession.readCapped(response, 64 * 1024, "manifest");
		if (response.statusCode() != 201) {
			throw pushFailure(response.statusCode(), body, "manifest " + this.content.tag());
		}
		Digest digest = Digest.of(this.content.manifest());
		String confirmed = response.headers().firstValue("Docker-Content-Digest").orElse(digest.toString());
		if (!confirmed.equals(digest.toString())) {
			throw new RegistryException(RegistryException.Kind.INVALID,
					"the registry stored the manifest as " + confirmed + ", expected " + digest);
		}
		return digest;
	}

	/** A blob range as a request body of known length, reopened if the request is retried. */
	private HttpRequest.BodyPublisher bodyOf(Digest digest, long offset, long length) {
		return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
			InputStream in = this.store.open(digest, offset);
			return new BoundedInputStream(in, length);
		}), length);
	}

	private URI blobUri(Digest digest) {
		return this.session.endpoint().resolve("/v2/" + this.session.repository() + "/blobs/" + digest);
	}

	private URI location(HttpResponse<?> response, String what) {
		String location = response.headers().firstValue("Location").orElse(null);
		if (location == null) {
			throw new RegistryException(RegistryException.Kind.INVALID, this.session.endpoint().host()
					+ " gave no upload location for " + what);
		}
		return response.uri().resolve(location);
	}

	/** Push refusals read as Docker's: {@code denied: requested access to the resource is denied}. */
	private RegistryException pushFailure(int status, byte[] body, String what) {
		if (status == 401 || status == 403) {
			return new RegistryException(RegistryException.Kind.UNAUTHORIZED,
					RegistryErrors.describe(body, "denied: requested access to the resource is denied"));
		}
		return this.session.failure(status, body, what);
	}

	/** A view of the first {@code remaining} bytes of a stream. */
	private static final class BoundedInputStream extends InputStream {

		private final InputStream in;

		private long remaining;

		BoundedInputStream(InputStream in, long remaining) {
			this.in = in;
			this.remaining = remaining;
		}

		@Override
		public int read() throws IOException {
			if (this.remaining <= 0) {
				return -1;
			}
			int b = this.in.read();
			if (b >= 0) {
				this.remaining--;
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (this.remaining <= 0) {
				return -1;
			}
			int n = this.in.read(buffer, offset, (int) Math.min(length, this.remaining));
			if (n > 0) {
				this.remaining -= n;
			}
			return n;
		}

		@Override
		public void close() throws IOException {
			this.in.close();
		}

	}

}
