package dev.berth.lifecycle.node;

import dev.berth.contracts.agent.v1.ContainerFilesystemServiceGrpc;
import dev.berth.contracts.agent.v1.SnapshotServiceGrpc;
import dev.berth.contracts.agent.v1.TaskServiceGrpc;

/**
 * One node's runtime agent, as the stubs lifecycle-service calls it through.
 *
 * @param name what container records store as their node
 */
public record Node(String name, TaskServiceGrpc.TaskServiceBlockingStub tasks,
		TaskServiceGrpc.TaskServiceStub tasksAsync, SnapshotServiceGrpc.SnapshotServiceBlockingStub snapshots,
		ContainerFilesystemServiceGrpc.ContainerFilesystemServiceBlockingStub files,
		ContainerFilesystemServiceGrpc.ContainerFilesystemServiceStub filesAsync) {
}
