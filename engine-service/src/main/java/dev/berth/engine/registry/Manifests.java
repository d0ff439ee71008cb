package dev.berth.engine.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.berth.engine.content.Digest;
import dev.berth.engine.content.InvalidDigestException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads manifests and indexes. The kind comes from the document's {@code mediaType}, or from the
 * HTTP Content-Type when the field is absent (skopeo's OCI manifests leave it out). A document
 * that carries both {@code manifests} and {@code layers} is refused rather than guessed at: which
 * reading a registry and a client pick differently is how images get confused.
 */
public final class Manifests {

	/** Distribution's own limit on manifest bodies. */
	public static final int MAX_MANIFEST_BYTES = 4 << 20;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Manifests() {
	}

	/** A parsed manifest or index. */
	public sealed interface Document permits ImageManifest, Index {

		String mediaType();

	}

	/** One image: its config and its layers, bottom first. */
	public record ImageManifest(String mediaType, Descriptor config, List<Descriptor> layers) implements Document {
	}

	/** A list of manifests, one per platform. */
	public record Index(String mediaType, List<Descriptor> manifests) implements Document {

		/** The first entry for {@code wanted}, preferring an exact variant match, as Docker picks. */
		public Optional<Descriptor> select(Platform wanted) {
			Descriptor loose = null;
			for (Descriptor entry : this.manifests) {
				if (entry.platform() == null || !wanted.accepts(entry.platform())) {
					continue;
				}
				if (wanted.variant() != null || entry.platform().variant() == null) {
					return Optional.of(entry);
				}
				if (loose == null) {
					loose = entry;
				}
			}
			return Optional.ofNullable(loose);
		}

	}

	public static Document parse(byte[] body, String contentType) {
		if (body.length > MAX_MANIFEST_BYTES) {
			throw invalid("manifest is " + body.length + " bytes, more than the " + MAX_MANIFEST_BYTES + " allowed");
		}
		JsonNode root;
		try {
			root = JSON.readTree(body);
		}
		catch (JacksonException ex) {
			throw invalid("manifest is not valid JSON: " + ex.getOriginalMessage());
		}
		if (root == null || !root.isObject()) {
			throw invalid("manifest is not a JSON object");
		}
		String mediaType = text(root, "mediaType");
		if (mediaType == null) {
			mediaType = MediaTypes.withoutParameters(contentType);
		}
		boolean hasManifests = root.has("manifests");
		boolean hasImageParts = root.has("layers") || root.has("config");
		if (hasManifests && hasImageParts) {
			throw invalid("ambiguous manifest: it has both \"manifests\" and \"layers\"/\"config\"");
		}
		if (MediaTypes.isSchema1(mediaType) || root.path("schemaVersion").asInt(0) == 1) {
			throw invalid("Docker Image Format v1 and Docker Image manifest version 2, schema 1 are not supported;"
					+ " push the image again with a current client");
		}
		if (root.path("schemaVersion").asInt(0) != 2) {
			throw invalid("unsupported manifest schemaVersion " + root.path("schemaVersion"));
		}
		if (MediaTypes.isIndex(mediaType)) {
			if (hasImageParts) {
				throw invalid("ambiguous manifest: " + mediaType + " with \"layers\"/\"config\"");
			}
			return new Index(mediaType, descriptors(root.path("manifests"), "manifests", true));
		}
		if (MediaTypes.isManifest(mediaType)) {
			if (hasManifests) {
				throw invalid("ambiguous manifest: " + mediaType + " with \"manifests\"");
			}
			if (!root.has("config") || !root.path("layers").isArray()) {
				throw invalid("image manifest without \"config\" or \"layers\"");
			}
			Descriptor config = descriptor(root.get("config"), "config", false);
			List<Descriptor> layers = descriptors(root.get("layers"), "layers", false);
			for (Descriptor layer : layers) {
				if (!MediaTypes.isLayer(layer.mediaType())) {
					throw invalid("unsupported layer media type \"" + layer.mediaType() + "\" for " + layer.digest());
				}
			}
			return new ImageManifest(mediaType, config, layers);
		}
		throw invalid("unsupported manifest media type \"" + mediaType + "\"");
	}

	private static List<Descriptor> descriptors(JsonNode array, String field, boolean withPlatform) {
		if (!array.isArray()) {
			throw invalid("\"" + field + "\" is not an array");
		}
		List<Descriptor> result = new ArrayList<>();
		for (int i = 0; i < array.size(); i++) {
			result.add(descriptor(array.get(i), field + "[" + i + "]", withPlatform));
		}
		return result;
	}

	private static Descriptor descriptor(JsonNode node, String field, boolean withPlatform) {
		if (node == null || !node.isObject()) {
			throw invalid("\"" + field + "\" is not a descriptor object");
		}
		Digest digest;
		try {
			digest = Digest.parse(text(node, "digest"));
		}
		catch (InvalidDigestException ex) {
			throw invalid("\"" + field + ".digest\": " + ex.getMessage());
		}
		JsonNode size = node.get("size");
		if (size == null || !size.isIntegralNumber() || size.asLong() < 0) {
			throw invalid("\"" + field + ".size\" is missing or not a non-negative integer");
		}
		Platform platform = null;
		JsonNode p = node.get("platform");
		if (withPlatform && p != null && p.isObject()) {
			platform = new Platform(text(p, "os"), text(p, "architecture"), text(p, "variant"));
		}
		List<String> urls = new ArrayList<>();
		node.path("urls").values().forEach((url) -> urls.add(url.asString()));
		Map<String, String> annotations = new LinkedHashMap<>();
		node.path("annotations").properties().forEach((e) -> annotations.put(e.getKey(), e.getValue().asString()));
		return new Descriptor(text(node, "mediaType"), digest, size.asLong(), platform, urls, annotations);
	}

	static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? value.stringValue() : null;
	}

	private static RegistryException invalid(String message) {
		return new RegistryException(RegistryException.Kind.INVALID, message);
	}

}
