package dev.berth.lifecycle.container;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Swagger's {@code NetworkingConfig}: the networks to join at create, keyed by network name or ID. */
public record NetworkingConfig(
		@JsonProperty("EndpointsConfig") Map<String, EndpointSettings> endpointsConfig) {

	/** What a client may ask of one endpoint; the addresses the engine assigns live elsewhere. */
	public record EndpointSettings(
			@JsonProperty("IPAMConfig") IpamConfig ipamConfig,
			@JsonProperty("Links") List<String> links,
			@JsonProperty("Aliases") List<String> aliases,
			@JsonProperty("MacAddress") String macAddress,
			@JsonProperty("DriverOpts") Map<String, String> driverOpts) {
	}

	public record IpamConfig(
			@JsonProperty("IPv4Address") String ipv4Address,
			@JsonProperty("IPv6Address") String ipv6Address) {
	}

}
