package dev.berth.gateway.system;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The daemon's settings that {@code GET /info} reports and other services own: the same properties, by the same
 * names, that berthd gives engine-service ({@code --data-root}, {@code --registry-mirror},
 * {@code --insecure-registry}), so that passing them to the gateway as well is all it takes.
 *
 * @param dataRoot where images and container files live (dockerd's DockerRootDir)
 * @param registryMirrors Docker Hub mirrors, as given
 * @param insecureRegistries registries reached without TLS checks: CIDRs or host[:port]
 */
@ConfigurationProperties("berth")
record DaemonSettings(@DefaultValue("/var/lib/berth") String dataRoot, @DefaultValue List<String> registryMirrors,
		@DefaultValue List<String> insecureRegistries) {
}
