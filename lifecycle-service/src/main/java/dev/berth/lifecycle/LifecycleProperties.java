package dev.berth.lifecycle;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * lifecycle-service's settings.
 *
 * @param agent the node agent's gRPC address, {@code host:port} (one node for now)
 * @param engine engine-service's gRPC address, for images
 * @param node the name this node's containers record as theirs
 * @param dataRoot dockerd's {@code --data-root}: the nodes keep container directories under it (set from
 *     {@code berth.data-root} in application.properties: a {@code @DefaultValue} resolves no placeholder)
 */
@ConfigurationProperties("berth.lifecycle")
public record LifecycleProperties(@DefaultValue("127.0.0.1:7441") String agent,
		@DefaultValue("127.0.0.1:7442") String engine, @DefaultValue("local") String node,
		@DefaultValue("/var/lib/berth") Path dataRoot) {
}
