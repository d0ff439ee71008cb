package dev.berth.gateway.engine;

import io.grpc.ManagedChannel;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.berth.contracts.channel.ServiceChannels;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.gateway.GatewayProperties;

/**
 * The gRPC channel to engine-service ({@code berth.gateway.engine}), plaintext: the engine listens on loopback
 * beside the gateway. Stubs for the routers are made from it here, so that routers see only the stubs.
 */
@Configuration(proxyBeanMethods = false)
class EngineClients {

	// shutdownNow: calls still running (a pull whose client went away) end with the gateway
	@Bean(destroyMethod = "shutdownNow")
	ManagedChannel engineChannel(GatewayProperties properties) {
		return ServiceChannels.open(properties.engine());
	}

	@Bean
	ImageServiceGrpc.ImageServiceBlockingStub imageService(ManagedChannel engineChannel) {
		return ImageServiceGrpc.newBlockingStub(engineChannel);
	}

	@Bean
	ImageServiceGrpc.ImageServiceStub imageServiceAsync(ManagedChannel engineChannel) {
		return ImageServiceGrpc.newStub(engineChannel);
	}

}
