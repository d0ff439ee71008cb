package dev.berth.engine;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * engine-service's settings, named after dockerd's flags.
 *
 * @param dataRoot where images and their blobs live ({@code --data-root}, default
 * {@code /var/lib/berth})
 * @param registryMirrors Docker Hub mirrors, tried before Docker Hub ({@code --registry-mirror})
 * @param insecureRegistries registries reached without certificate checks or over HTTP: host,
 * host:port or CIDR ({@code --insecure-registry})
 * @param maxConcurrentDownloads layers downloaded at once per pull ({@code --max-concurrent-downloads},
 * default 3)
 * @param lifecycleService lifecycle-service's gRPC address, {@code host:port}: its event log receives the image
 * events for {@code docker events}; empty (the default) for an engine on its own, whose events go nowhere
 */
@ConfigurationProperties("berth")
public record EngineProperties(Path dataRoot, List<String> registryMirrors, List<String> insecureRegistries,
		Integer maxConcurrentDownloads, String lifecycleService) {

	public EngineProperties {
		dataRoot = (dataRoot != null) ? dataRoot : Path.of("/var/lib/berth");
		registryMirrors = (registryMirrors != null) ? List.copyOf(registryMirrors) : List.of();
		insecureRegistries = (insecureRegistries != null) ? List.copyOf(insecureRegistries) : List.of();
		maxConcurrentDownloads = (maxConcurrentDownloads != null) ? maxConcurrentDownloads : 3;
		lifecycleService = (lifecycleService != null) ? lifecycleService : "";
	}

	public Path contentRoot() {
		return this.dataRoot.resolve("content");
	}

	public Path imageRoot() {
		return this.dataRoot.resolve("image");
	}

}
