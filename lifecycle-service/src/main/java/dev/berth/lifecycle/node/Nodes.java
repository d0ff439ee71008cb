package dev.berth.lifecycle.node;

import java.util.List;

import io.grpc.ManagedChannel;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import dev.berth.contracts.agent.v1.ContainerFilesystemServiceGrpc;
import dev.berth.contracts.agent.v1.SnapshotServiceGrpc;
import dev.berth.contracts.agent.v1.TaskServiceGrpc;
import dev.berth.contracts.channel.ServiceChannels;
import dev.berth.lifecycle.LifecycleProperties;

/**
 * The nodes containers run on, and the one place that chooses among them. There is one node
 * today, the agent beside this service; a cluster adds nodes here and a choice in {@link #place}.
 */
@Component
public class Nodes implements DisposableBean {

	private final ManagedChannel channel;

	private final Node local;

	public Nodes(LifecycleProperties properties) {
		this.channel = ServiceChannels.open(properties.agent());
		this.local = new Node(properties.node(), TaskServiceGrpc.newBlockingStub(this.channel),
				TaskServiceGrpc.newStub(this.channel), SnapshotServiceGrpc.newBlockingStub(this.channel),
				ContainerFilesystemServiceGrpc.newBlockingStub(this.channel),
				ContainerFilesystemServiceGrpc.newStub(this.channel));
	}

	/** The node a new container goes to. */
	public Node place() {
		return this.local;
	}

	/** The node a container was placed on. */
	public Node get(String name) {
		if (!this.local.name().equals(name)) {
			throw new IllegalStateException("unknown node \"" + name + "\": this engine runs on \""
					+ this.local.name() + "\"");
		}
		return this.local;
	}

	public List<Node> all() {
		return List.of(this.local);
	}

	@Override
	public void destroy() {
		this.channel.shutdownNow();
	}

}
