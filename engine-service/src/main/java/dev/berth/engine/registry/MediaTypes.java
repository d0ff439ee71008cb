package dev.berth.engine.registry;

import java.util.Locale;
import java.util.Set;

/** The media types of images in registries: Docker's schema 2 family and OCI's. */
public final class MediaTypes {

	public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

	public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

	public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";

	public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

	public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

	public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

	public static final String DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

	public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

	public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

	public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

	public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

	public static final String OCI_LAYER_GZIP = OCI_LAYER + "+gzip";

	public static final String OCI_LAYER_ZSTD = OCI_LAYER + "+zstd";

	/** What a pull asks for, best first; schema 1 only so that its refusal can be explained. */
	public static final String MANIFEST_ACCEPT = String.join(", ", OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST,
			DOCKER_MANIFEST, DOCKER_SCHEMA1_SIGNED + ";q=0.1", DOCKER_SCHEMA1 + ";q=0.1");

	private static final Set<String> LAYERS = Set.of(DOCKER_LAYER, DOCKER_FOREIGN_LAYER, OCI_LAYER, OCI_LAYER_GZIP,
			OCI_LAYER_ZSTD, "application/vnd.oci.image.layer.nondistributable.v1.tar",
			"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
			"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");

	private MediaTypes() {
	}

	public static boolean isIndex(String mediaType) {
		return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
	}

	public static boolean isManifest(String mediaType) {
		return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
	}

	public static boolean isSchema1(String mediaType) {
		return DOCKER_SCHEMA1.equals(mediaType) || DOCKER_SCHEMA1_SIGNED.equals(mediaType);
	}

	public static boolean isLayer(String mediaType) {
		return LAYERS.contains(mediaType);
	}

	/** {@code application/json; charset=utf-8} → {@code application/json}. */
	public static String withoutParameters(String contentType) {
		if (contentType == null) {
			return null;
		}
		int semicolon = contentType.indexOf(';');
		return ((semicolon >= 0) ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
	}

}
