package dev.berth.gateway;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The gateway's settings, named after dockerd's flags where it has one.
 *
 * @param hosts where the Docker API listens, as dockerd's {@code -H} takes it ({@code unix:///run/berth/docker.sock})
 * @param engine engine-service's gRPC address, {@code host:port}, reached in plaintext on loopback
 * @param lifecycle lifecycle-service's gRPC address, {@code host:port}, reached in plaintext on loopback
 * @param maxBodySize the largest JSON request body read, in bytes
 * @param maxJsonDepth the deepest nesting of a JSON request body
 */
@ConfigurationProperties("berth.gateway")
public record GatewayProperties(@DefaultValue("unix:///run/berth/docker.sock") List<String> hosts,
		@DefaultValue("127.0.0.1:7442") String engine, @DefaultValue("1048576") int maxBodySize,
		@DefaultValue("64") int maxJsonDepth, @DefaultValue("127.0.0.1:7443") String lifecycle) {
}
