package dev.berth.agent.snapshot;

import io.grpc.ManagedChannel;

import dev.berth.agent.AgentProperties;
import dev.berth.contracts.channel.ServiceChannels;
import dev.berth.contracts.engine.v1.ContentServiceGrpc;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The node's snapshot store, fed from engine-service's content store. */
@Configuration(proxyBeanMethods = false)
class SnapshotConfiguration {

	@Bean(destroyMethod = "shutdownNow")
	ManagedChannel contentChannel(AgentProperties properties) {
		return ServiceChannels.open(properties.contentService());
	}

	@Bean
	Trash trash(AgentProperties properties) {
		return new Trash(properties.trash());
	}

	@Bean
	Snapshotter snapshotter(AgentProperties properties, ManagedChannel contentChannel, Trash trash) {
		BlobSource remote = new ContentServiceBlobs(ContentServiceGrpc.newBlockingStub(contentChannel));
		return new Snapshotter(properties.snapshots(), new LocalBlobs(properties.contentRoot(), remote),
				new LayerUnpacker(), trash);
	}

}
