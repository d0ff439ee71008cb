package dev.berth.lifecycle.task;

import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.DeleteRequest;
import dev.berth.contracts.agent.v1.ExecRequest;
import dev.berth.contracts.agent.v1.ResizePtyRequest;
import dev.berth.contracts.agent.v1.StartRequest;
import dev.berth.contracts.agent.v1.StdioConfig;
import dev.berth.contracts.agent.v1.WaitRequest;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerStatus;
import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.container.Exec;
import dev.berth.lifecycle.container.Exec.ExecState;
import dev.berth.lifecycle.container.ExecConfig;
import dev.berth.lifecycle.event.EventLog;
import dev.berth.lifecycle.node.Node;
import dev.berth.lifecycle.node.Nodes;

/** Docker's exec instances: extra processes in a running container, with their stdio and exit codes. */
@Component
public class Execs {

	/** dockerd's exit code for an exec whose process could not be started. */
	static final int EXEC_START_FAILED = 126;

	private final ContainerStore store;

	private final Nodes nodes;

	private final RuntimeSpecs specs;

	private final EventLog events;

	Execs(ContainerStore store, Nodes nodes, RuntimeSpecs specs, EventLog events) {
		this.store = store;
		this.nodes = nodes;
		this.specs = specs;
		this.events = events;
	}

	/** {@code POST /containers/{id}/exec}. */
	public String create(String containerReference, ObjectNode body) {
		Container container = this.store.get(containerReference);
		requireRunning(container);
		Exec exec = this.store.createExec(container.id(), body);
		if (exec.config().cmd() == null || exec.config().cmd().isEmpty()) {
			this.store.deleteExec(exec.id());
			throw new InvalidArgumentException("No exec command specified");
		}
		publish(container, exec, "exec_create: " + String.join(" ", exec.config().cmd()), Map.of());
		return exec.id();
	}

	/** The exec and its container, for inspect. */
	public record ExecView(Exec exec, Container container) {
	}

	public ExecView inspect(String execId) {
		Exec exec = this.store.getExec(execId);
		return new ExecView(exec, this.store.get(exec.containerId()));
	}

	/**
	 * {@code POST /exec/{id}/start}: the process is added, attached (unless detached) and started.
	 * The client's session ends after the exit code is recorded, so an inspect right after it sees
	 * the code.
	 * @return whether the exec runs in a terminal, and its session (null when detached)
	 */
	public StdinSession start(String execId, boolean detach, int height, int width, AttachClient client) {
		Exec exec = this.store.getExec(execId);
		Container container = this.store.get(exec.containerId());
		if (exec.state().running()) {
			throw new ConflictException("Error: Exec command " + execId + " is already running");
		}
		if (exec.state().exitCode() != null) {
			throw new ConflictException("Error: Exec command " + execId + " has already run");
		}
		requireRunning(container);
		ExecConfig config = exec.config();
		Node node = this.nodes.get(container.node());
		int[] size = consoleSize(config, height, width);
		ExecRequest.Builder request = ExecRequest.newBuilder()
			.setContainerId(container.id())
			.setExecId(execId)
			.setProcessJson(ByteString.copyFromUtf8(this.specs.execProcess(container, config).toString()))
			.setStdio(StdioConfig.newBuilder()
				.setTerminal(config.tty())
				.setStdin(config.attachStdin() && !detach)
				.setConsoleHeight(size[0])
				.setConsoleWidth(size[1]))
			.setUser(!Containers.isEmpty(config.user()) ? config.user()
					: Containers.nullToEmpty(container.config().user()));
		List<String> groupAdd = container.hostConfig().groupAdd();
		if (groupAdd != null) {
			request.addAllGroupAdd(groupAdd);
		}
		node.tasks().exec(request.build());
		NodeAttach attach = null;
		if (!detach) {
			attach = NodeAttach.open(node, container.id(), execId, config.attachStdin(), config.attachStdout(),
					config.attachStderr(), new ExitFirst(node, container.id(), execId, client));
		}
		int pid;
		try {
			pid = node.tasks()
				.start(StartRequest.newBuilder().setContainerId(container.id()).setExecId(execId).build())
				.getPid();
		}
		catch (StatusRuntimeException ex) {
			throw startFailed(node, container, exec, attach, ex);
		}
		this.store.updateExec(execId, (state) -> (state.exitCode() == null) ? new ExecState(true, null, pid) : state);
		publish(container, exec, "exec_start: " + String.join(" ", config.cmd()), Map.of());
		if (attach == null) {
			return null;
		}
		return attach;
	}

	/**
	 * The process could not be started (no such command, a working directory that is not there): as
	 * dockerd, the exec ends with code 126 and runc's words, which an attached client reads in its stream.
	 */
	private StartFailedException startFailed(Node node, Container container, Exec exec, NodeAttach attach,
			StatusRuntimeException ex) {
		if (attach != null) {
			attach.cancel();
		}
		try {
			node.tasks()
				.delete(DeleteRequest.newBuilder().setContainerId(container.id()).setExecId(exec.id()).setForce(true).build());
		}
		catch (StatusRuntimeException gone) {
			// nothing was left of it
		}
		this.store.updateExec(exec.id(), (state) -> new ExecState(false, EXEC_START_FAILED, 0));
		publish(container, exec, "exec_die", Map.of("exitCode", Integer.toString(EXEC_START_FAILED)));
		return new StartFailedException("OCI runtime exec failed: exec failed: unable to start container process: "
				+ ex.getStatus().getDescription() + ": unknown", ex);
	}

	/** An exec whose process never started; its exit code is recorded already. */
	public static final class StartFailedException extends RuntimeException {

		StartFailedException(String message, Throwable cause) {
			super(message, cause);
		}

	}

	/** How a healthcheck probe ended: its exit code (-1 when it timed out) and its output. */
	record ProbeResult(int exitCode, String output) {
	}

	/**
	 * Runs {@code command} in the container as a hidden exec (no record, no events), as Docker runs
	 * a healthcheck: output kept up to {@code maxOutput} bytes, killed at the timeout.
	 */
	ProbeResult probe(Container container, List<String> command, java.time.Duration timeout, int maxOutput) {
		Node node = this.nodes.get(container.node());
		String execId = "health-" + java.util.UUID.randomUUID().toString().replace("-", "");
		ExecConfig config = new ExecConfig(false, true, true, null, null, false, null, command, false, null, null);
		ExecRequest.Builder request = ExecRequest.newBuilder()
			.setContainerId(container.id())
			.setExecId(execId)
			.setProcessJson(ByteString.copyFromUtf8(this.specs.execProcess(container, config).toString()))
			.setStdio(StdioConfig.newBuilder())
			.setUser(Containers.nullToEmpty(container.config().user()));
		node.tasks().exec(request.build());
		java.io.ByteArrayOutputStream output = new java.io.ByteArrayOutputStream();
		java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
		NodeAttach attach = NodeAttach.open(node, container.id(), execId, false, true, true, new AttachClient() {
			@Override
			public void output(Stream stream, byte[] data) {
				synchronized (output) {
					output.write(data, 0, Math.max(0, Math.min(data.length, maxOutput - output.size())));
				}
			}

			@Override
			public void end() {
				ended.countDown();
			}

			@Override
			public void fail(Throwable error) {
				ended.countDown();
			}
		});
		try {
			node.tasks().start(StartRequest.newBuilder().setContainerId(container.id()).setExecId(execId).build());
			if (!ended.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
				node.tasks()
					.kill(dev.berth.contracts.agent.v1.KillRequest.newBuilder()
						.setContainerId(container.id())
						.setExecId(execId)
						.setSignalName("SIGKILL")
						.build());
				return new ProbeResult(-1, "Health check exceeded timeout (" + timeout.toSeconds() + "s)");
			}
			int exitCode = node.tasks()
				.wait(WaitRequest.newBuilder().setContainerId(container.id()).setExecId(execId).build())
				.getExitStatus();
			synchronized (output) {
				return new ProbeResult(exitCode, output.toString(java.nio.charset.StandardCharsets.UTF_8));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new ProbeResult(-1, "interrupted");
		}
		finally {
			attach.cancel();
			try {
				node.tasks().delete(DeleteRequest.newBuilder().setContainerId(container.id()).setExecId(execId).setForce(true).build());
			}
			catch (StatusRuntimeException ex) {
				// gone with its container
			}
		}
	}

	/** {@code POST /exec/{id}/resize}. */
	public void resize(String execId, int height, int width) {
		Exec exec = this.store.getExec(execId);
		if (!exec.state().running()) {
			throw new ConflictException("Exec " + execId + " is not running");
		}
		Container container = this.store.get(exec.containerId());
		this.nodes.get(container.node())
			.tasks()
			.resizePty(ResizePtyRequest.newBuilder()
				.setContainerId(container.id())
				.setExecId(execId)
				.setHeight(height)
				.setWidth(width)
				.build());
	}

	/** An exit the node reported; recorded once. */
	void exited(String containerId, String execId, int exitStatus) {
		Exec exec;
		try {
			exec = this.store.getExec(execId);
		}
		catch (dev.berth.lifecycle.NotFoundException ex) {
			return;
		}
		boolean[] recorded = { false };
		// in the row's transaction: the monitor and the session's end may both report this exit
		this.store.updateExec(execId, (state) -> {
			if (state.exitCode() != null) {
				return state;
			}
			recorded[0] = true;
			return new ExecState(false, exitStatus, state.pid());
		});
		if (!recorded[0]) {
			return;
		}
		Container container = this.store.get(containerId);
		try {
			this.nodes.get(container.node())
				.tasks()
				.delete(DeleteRequest.newBuilder().setContainerId(containerId).setExecId(execId).build());
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() != Status.Code.NOT_FOUND) {
				throw ex;
			}
		}
		publish(container, exec, "exec_die", Map.of("exitCode", Integer.toString(exitStatus)));
	}

	private void publish(Container container, Exec exec, String action, Map<String, String> extra) {
		Map<String, String> attributes = new java.util.LinkedHashMap<>(extra);
		attributes.put("execID", exec.id());
		this.events.publishContainer(container, action, attributes);
	}

	private static void requireRunning(Container container) {
		ContainerStatus status = container.state().status();
		if (status == ContainerStatus.PAUSED) {
			throw new ConflictException("Container " + container.id() + " is paused, unpause the container before exec");
		}
		if (status != ContainerStatus.RUNNING) {
			throw new ConflictException("Container " + container.id() + " is not running");
		}
	}

	/** [height, width]: the start request's, else the create request's ConsoleSize. */
	private static int[] consoleSize(ExecConfig config, int height, int width) {
		if (height > 0 && width > 0) {
			return new int[] { height, width };
		}
		List<Integer> size = config.consoleSize();
		if (size != null && size.size() == 2 && size.get(0) != null && size.get(1) != null) {
			return new int[] { size.get(0), size.get(1) };
		}
		return new int[] { 0, 0 };
	}

	/** Ends the client's session only once the exit code is on record. */
	private final class ExitFirst implements AttachClient {

		private final Node node;

		private final String containerId;

		private final String execId;

		private final AttachClient client;

		ExitFirst(Node node, String containerId, String execId, AttachClient client) {
			this.node = node;
			this.containerId = containerId;
			this.execId = execId;
			this.client = client;
		}

		@Override
		public void output(Stream stream, byte[] data) {
			this.client.output(stream, data);
		}

		@Override
		public void end() {
			try {
				int status = this.node.tasks()
					.wait(WaitRequest.newBuilder().setContainerId(this.containerId).setExecId(this.execId).build())
					.getExitStatus();
				exited(this.containerId, this.execId, status);
			}
			catch (RuntimeException ex) {
				// the monitor records it from the exit event instead
			}
			this.client.end();
		}

		@Override
		public void fail(Throwable error) {
			this.client.fail(error);
		}

	}

}
