package dev.berth.engine.registry;

import java.util.List;
import java.util.Map;

import dev.berth.engine.content.Digest;

/**
 * A reference to a blob as manifests carry it: what it is, its digest and exact size (both
 * checked when the blob is fetched), and for index entries the platform it is for.
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform, List<String> urls,
		Map<String, String> annotations) {

	public Descriptor {
		urls = (urls == null) ? List.of() : List.copyOf(urls);
		annotations = (annotations == null) ? Map.of() : Map.copyOf(annotations);
	}

	public Descriptor(String mediaType, Digest digest, long size) {
		this(mediaType, digest, size, null, null, null);
	}

}
