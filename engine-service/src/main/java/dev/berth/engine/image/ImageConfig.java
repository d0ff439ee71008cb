package dev.berth.engine.image;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import dev.berth.engine.content.Digest;
import dev.berth.engine.content.InvalidDigestException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parts of an image config (OCI and Docker share the format) that the engine relies on: the
 * diff IDs that name the layers' contents, the platform, and when it was created. The full JSON
 * is kept as {@link #json()} for inspect.
 */
public record ImageConfig(JsonNode json, List<Digest> diffIds, String os, String architecture, String variant,
		Instant created) {

	/** Configs are small JSON documents; this bounds what a registry or a corrupt store makes us read. */
	public static final int MAX_BYTES = 8 << 20;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public static ImageConfig parse(byte[] bytes) {
		JsonNode json;
		try {
			json = JSON.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw new InvalidImageException("image config is not valid JSON: " + ex.getOriginalMessage());
		}
		if (json == null || !json.isObject()) {
			throw new InvalidImageException("image config is not a JSON object");
		}
		JsonNode rootfs = json.path("rootfs");
		if (!"layers".equals(rootfs.path("type").asString(""))) {
			throw new InvalidImageException("image config rootfs.type is \"" + rootfs.path("type").asString("")
					+ "\", expected \"layers\"");
		}
		List<Digest> diffIds = new ArrayList<>();
		for (JsonNode diffId : rootfs.path("diff_ids").values()) {
			try {
				diffIds.add(Digest.parse(diffId.asString("")));
			}
			catch (InvalidDigestException ex) {
				throw new InvalidImageException("image config rootfs.diff_ids: " + ex.getMessage());
			}
		}
		Instant created = null;
		String createdText = json.path("created").asString("");
		if (!createdText.isEmpty()) {
			try {
				created = Instant.parse(createdText);
			}
			catch (DateTimeParseException ex) {
				throw new InvalidImageException("image config created \"" + createdText + "\" is not an RFC 3339 time");
			}
		}
		return new ImageConfig(json, List.copyOf(diffIds), json.path("os").asString(""),
				json.path("architecture").asString(""), json.path("variant").asString(null), created);
	}

}
