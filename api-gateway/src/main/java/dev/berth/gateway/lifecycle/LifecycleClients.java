package dev.berth.gateway.lifecycle;

import io.grpc.ManagedChannel;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.berth.contracts.channel.ServiceChannels;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.EventServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ExecServiceGrpc;
import dev.berth.contracts.lifecycle.v1.NodeServiceGrpc;
import dev.berth.gateway.GatewayProperties;

/**
 * The gRPC channel to lifecycle-service ({@code berth.gateway.lifecycle}), plaintext: it listens on loopback beside
 * the gateway. The routers see only the stubs made here: blocking ones for calls that answer once or stream one way,
 * asynchronous ones for attach and exec start, whose stdin flows while output comes back.
 */
@Configuration(proxyBeanMethods = false)
class LifecycleClients {

	// shutdownNow: calls still running (a followed log whose client went away) end with the gateway
	@Bean(destroyMethod = "shutdownNow")
	ManagedChannel lifecycleChannel(GatewayProperties properties) {
		return ServiceChannels.open(properties.lifecycle());
	}

	@Bean
	ContainerServiceGrpc.ContainerServiceBlockingStub containerService(ManagedChannel lifecycleChannel) {
		return ContainerServiceGrpc.newBlockingStub(lifecycleChannel);
	}

	@Bean
	ContainerServiceGrpc.ContainerServiceStub containerServiceAsync(ManagedChannel lifecycleChannel) {
		return ContainerServiceGrpc.newStub(lifecycleChannel);
	}

	@Bean
	ExecServiceGrpc.ExecServiceBlockingStub execService(ManagedChannel lifecycleChannel) {
		return ExecServiceGrpc.newBlockingStub(lifecycleChannel);
	}

	@Bean
	ExecServiceGrpc.ExecServiceStub execServiceAsync(ManagedChannel lifecycleChannel) {
		return ExecServiceGrpc.newStub(lifecycleChannel);
	}

	@Bean
	NodeServiceGrpc.NodeServiceBlockingStub nodeService(ManagedChannel lifecycleChannel) {
		return NodeServiceGrpc.newBlockingStub(lifecycleChannel);
	}

	@Bean
	EventServiceGrpc.EventServiceBlockingStub eventService(ManagedChannel lifecycleChannel) {
		return EventServiceGrpc.newBlockingStub(lifecycleChannel);
	}

}
