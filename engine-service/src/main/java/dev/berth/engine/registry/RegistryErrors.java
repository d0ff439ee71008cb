package dev.berth.engine.registry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a registry's error body, {@code {"errors":[{"code":"MANIFEST_UNKNOWN","message":…}]}},
 * into the text Docker prints: {@code manifest unknown: manifest unknown}.
 */
final class RegistryErrors {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int MAX_SHOWN = 512;

	private RegistryErrors() {
	}

	static String describe(byte[] body, String fallback) {
		if (body == null || body.length == 0) {
			return fallback;
		}
		try {
			JsonNode json = JSON.readTree(body);
			if (json != null && json.path("errors").isArray() && !json.path("errors").isEmpty()) {
				List<String> parts = new ArrayList<>();
				for (JsonNode error : json.path("errors").values()) {
					String code = Manifests.text(error, "code");
					String message = Manifests.text(error, "message");
					String words = (code == null) ? "" : code.toLowerCase(Locale.ROOT).replace('_', ' ');
					parts.add(words + ((message != null && !message.isEmpty()) ? ": " + message : ""));
				}
				return String.join(", ", parts);
			}
			if (json != null && Manifests.text(json, "details") != null) {
				return Manifests.text(json, "details");
			}
		}
		catch (JacksonException ex) {
			// not JSON: show the start of the text below
		}
		String text = new String(body, 0, Math.min(body.length, MAX_SHOWN), StandardCharsets.UTF_8).strip();
		return text.isEmpty() ? fallback : text;
	}

}
