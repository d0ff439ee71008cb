package dev.berth.gateway.api;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.berth.gateway.GatewayProperties;

/**
 * Reads the JSON that clients send, in bodies and in query parameters ({@code filters}), within limits: a body
 * larger than {@code berth.gateway.max-body-size} is read no further, nesting deeper than
 * {@code berth.gateway.max-json-depth} is refused. Fields the gateway does not know are ignored, as dockerd ignores
 * them.
 */
@Component
public class JsonBodies {

	private final JsonMapper mapper;

	private final int maxBodySize;

	JsonBodies(GatewayProperties properties) {
		JsonFactory factory = JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(properties.maxJsonDepth()).build())
			.build();
		this.mapper = JsonMapper.builder(factory).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
		this.maxBodySize = properties.maxBodySize();
	}

	/** The request's body as a {@code type}; an empty body is {@code null}. */
	public <T> T read(HttpServletRequest request, Class<T> type) throws IOException {
		byte[] body = bounded(request);
		if (body.length == 0) {
			return null;
		}
		try {
			return this.mapper.readValue(body, type);
		}
		catch (JacksonException ex) {
			throw new InvalidParameterException("invalid JSON: " + ex.getOriginalMessage());
		}
	}

	/**
	 * The request's body as the bytes the client sent, once they are known to be one JSON object within the limits:
	 * for bodies a service reads itself (a container's config), passed on unchanged so that no field is lost on the
	 * way. An empty body is refused with dockerd's message.
	 */
	public byte[] readObject(HttpServletRequest request) throws IOException {
		byte[] body = bounded(request);
		if (body.length == 0) {
			throw new InvalidParameterException("invalid JSON: got EOF while reading request body");
		}
		JsonNode tree;
		try {
			tree = this.mapper.readTree(body);
		}
		catch (JacksonException ex) {
			throw new InvalidParameterException("invalid JSON: " + ex.getOriginalMessage());
		}
		if (!tree.isObject()) {
			throw new InvalidParameterException("invalid JSON: the body must be a JSON object");
		}
		return body;
	}

	private byte[] bounded(HttpServletRequest request) throws IOException {
		if (request.getContentLengthLong() > this.maxBodySize) {
			throw new PayloadTooLargeException(this.maxBodySize);
		}
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes(this.maxBodySize + 1);
		}
		if (body.length > this.maxBodySize) {
			throw new PayloadTooLargeException(this.maxBodySize);
		}
		return body;
	}

	/** A JSON document from a query parameter. */
	public JsonNode tree(String json) {
		if (json.length() > this.maxBodySize) {
			throw new PayloadTooLargeException(this.maxBodySize);
		}
		return this.mapper.readTree(json);
	}

}
