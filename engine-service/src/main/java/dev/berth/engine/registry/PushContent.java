package dev.berth.engine.registry;

import java.util.List;
import java.util.Map;

import dev.berth.engine.content.Digest;

/**
 * What a push sends: the manifest bytes (the pulled one, unchanged, so the digest stays the
 * same; or one made for a local image), the blobs it names, and for each blob a repository of the
 * same registry known to hold it, from which the registry can mount it instead of receiving it.
 *
 * @param tag the tag to put the manifest under
 * @param manifest the manifest bytes
 * @param manifestMediaType its media type
 * @param config the config blob
 * @param layers the layer blobs
 * @param mountSources blob → repository (in the target registry) to mount it from
 */
public record PushContent(String tag, byte[] manifest, String manifestMediaType, Descriptor config,
		List<Descriptor> layers, Map<Digest, String> mountSources) {

	public PushContent {
		layers = List.copyOf(layers);
		mountSources = Map.copyOf(mountSources);
	}

}
