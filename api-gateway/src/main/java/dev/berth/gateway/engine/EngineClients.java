package dev.berth.gateway.engine;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.gateway.GatewayProperties;

/**
 * The gRPC channel to engine-service ({@code berth.gateway.engine}), plaintext: the engine listens on loopback
 * beside the gateway. Stubs for the routers are made from it here, so that routers see only the stubs.
 */
@Configuration(proxyBeanMethods = false)
class EngineClients {

	// a docker save chunk, or an image with a large config, must fit in one message
	private static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

	// shutdownNow: calls still running (a pull whose client went away) end with the gateway
	@Bean(destroyMethod = "shutdownNow")
	ManagedChannel engineChannel(GatewayProperties properties) {
		return ManagedChannelBuilder.forTarget(properties.engine())
			.usePlaintext()
			.maxInboundMessageSize(MAX_MESSAGE_SIZE)
			.build();
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
