package dev.berth.lifecycle.task;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.CreateRequest;
import dev.berth.contracts.agent.v1.DeleteRequest;
import dev.berth.contracts.agent.v1.KillRequest;
import dev.berth.contracts.agent.v1.LogsRequest;
import dev.berth.contracts.agent.v1.LogsResponse;
import dev.berth.contracts.agent.v1.PauseRequest;
import dev.berth.contracts.agent.v1.PrepareSnapshotRequest;
import dev.berth.contracts.agent.v1.PrepareSnapshotResponse;
import dev.berth.contracts.agent.v1.PreparedSnapshot;
import dev.berth.contracts.agent.v1.RemoveSnapshotRequest;
import dev.berth.contracts.agent.v1.ResizePtyRequest;
import dev.berth.contracts.agent.v1.ResumeRequest;
import dev.berth.contracts.agent.v1.StartRequest;
import dev.berth.contracts.agent.v1.StdioConfig;
import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerState;
import dev.berth.lifecycle.container.ContainerStatus;
import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.container.HostConfig;
import dev.berth.lifecycle.container.NewContainer;
import dev.berth.lifecycle.event.EventLog;
import dev.berth.lifecycle.image.Images;
import dev.berth.lifecycle.image.ResolvedImage;
import dev.berth.lifecycle.node.Node;
import dev.berth.lifecycle.node.Nodes;

/**
 * Docker's container operations, containerd's part of them: each resolves the container, checks
 * Docker's preconditions (with Docker's messages), drives the container's node and records the
 * transition. Exits arrive from {@link TaskMonitor}.
 */
@Component
public class Containers {

	private static final Logger logger = LoggerFactory.getLogger(Containers.class);

	private static final int DEFAULT_STOP_TIMEOUT = 10;

	/** After SIGKILL a process is gone at once; this only bounds a node that stopped answering. */
	private static final Duration KILL_GRACE = Duration.ofSeconds(30);

	private final ContainerStore store;

	private final Images images;

	private final Nodes nodes;

	private final RuntimeSpecs specs;

	private final EventLog events;

	private final ContainerLocks locks;

	private final ExitWaiters waiters;

	private final Attachments attachments;

	private final RestartPolicies restarts;

	private final HealthChecks health;

	private final CreatedSnapshots createdSnapshots;

	Containers(ContainerStore store, Images images, Nodes nodes, RuntimeSpecs specs, EventLog events,
			ContainerLocks locks, ExitWaiters waiters, Attachments attachments, RestartPolicies restarts,
			HealthChecks health, CreatedSnapshots createdSnapshots) {
		this.store = store;
		this.images = images;
		this.nodes = nodes;
		this.specs = specs;
		this.events = events;
		this.locks = locks;
		this.waiters = waiters;
		this.attachments = attachments;
		this.restarts = restarts;
		this.health = health;
		this.createdSnapshots = createdSnapshots;
	}

	/** What {@link #create} answers: Docker's {@code {Id, Warnings}}. */
	public record Created(String id, List<String> warnings) {
	}

	/**
	 * {@code POST /containers/create}: the image is resolved (a 404 makes the CLI pull), its config
	 * merged in, the settings checked by making the spec once, then the record is stored and the
	 * node prepares the root filesystem.
	 */
	public Created create(String name, ObjectNode body) {
		ObjectNode config = body.deepCopy();
		ObjectNode hostConfig = objectOrNull(config.remove("HostConfig"));
		ObjectNode networkingConfig = objectOrNull(config.remove("NetworkingConfig"));
		String image = config.path("Image").asString("");
		if (image.isEmpty()) {
			throw new InvalidArgumentException("config.Image must not be empty");
		}
		if (hostConfig != null) {
			HostConfig requested = HostConfig.read(hostConfig);
			RestartPolicies.verifyForCreate(requested.restartPolicy(), requested.autoRemove());
			if (requested.memory() > 0 && requested.memorySwap() == 0) {
				// stored as dockerd stores it, so inspect and a later update see the swap limit in force
				hostConfig.put("MemorySwap", requested.memorySwapInForce());
			}
		}
		ResolvedImage resolved = this.images.resolve(image);
		ObjectNode merged = this.specs.mergeImageConfig(config, resolved.config());
		Node node = this.nodes.place();
		Container container = this.store.create(
				new NewContainer(name, image, resolved.id(), node.name(), merged, hostConfig, networkingConfig));
		try {
			container = this.store.replaceConfig(container.id(), this.specs.withHostname(container));
			// the settings Docker refuses are refused now, not at the first start
			this.specs.specFor(container);
			this.createdSnapshots.created(container.id(), prepareSnapshot(node, container, resolved));
		}
		catch (RuntimeException ex) {
			this.store.delete(container.id());
			throw ex;
		}
		publish(container, "create", Map.of());
		return new Created(container.id(), List.of());
	}

	/**
	 * {@code POST /containers/{id}/start}.
	 * @return false when it was running already (Docker's 304)
	 */
	public boolean start(String reference) {
		String id = this.store.get(reference).id();
		return this.locks.with(id, () -> {
			Container container = this.store.get(id);
			switch (container.state().status()) {
				case RUNNING, RESTARTING -> {
					return false;
				}
				case PAUSED -> throw new ConflictException("cannot start a paused container, try unpause instead");
				case REMOVING, DEAD -> throw new ConflictException(
						"container is marked for removal and cannot be started");
				default -> {
					// a start by the user: the restart policy counts again from zero
					this.store.setManuallyStopped(id, false);
					startTask(container, 0);
					return true;
				}
			}
		});
	}

	private void startTask(Container container, int restartCount) {
		Node node = this.nodes.get(container.node());
		RuntimeSpecs.RuntimeSpec spec = this.specs.specFor(container);
		PreparedSnapshot snapshot = this.createdSnapshots.takeForFirstStart(container.id())
			.orElseGet(() -> prepareSnapshot(node, container, this.images.resolve(container.imageId())));
		boolean tty = container.config().tty();
		CreateRequest.Builder create = CreateRequest.newBuilder()
			.setContainerId(container.id())
			.setSpecJson(com.google.protobuf.ByteString.copyFromUtf8(spec.oci().toString()))
			.addAllRootfs(snapshot.getMountsList())
			.setStdio(StdioConfig.newBuilder()
				.setTerminal(tty)
				.setStdin(container.config().openStdin())
				.setLogPath(container.id() + "-json.log"))
			.addAllFiles(spec.files())
			.setUser(nullToEmpty(container.config().user()));
		List<String> groupAdd = container.hostConfig().groupAdd();
		if (groupAdd != null) {
			create.addAllGroupAdd(groupAdd);
		}
		int pid;
		try {
			node.tasks().create(create.build());
			this.attachments.connectWaiting(container.id(), node);
			pid = node.tasks().start(StartRequest.newBuilder().setContainerId(container.id()).build()).getPid();
		}
		catch (RuntimeException ex) {
			throw startFailed(node, container, ex);
		}
		this.store.updateState(container.id(), (state) -> new ContainerState(ContainerStatus.RUNNING, pid, 0, "",
				Instant.now(), state.finishedAt(), false, restartCount));
		publish(container, "start", Map.of());
		this.health.started(container);
	}

	/**
	 * A start that failed leaves the container exited with Docker's codes: 127 when the command
	 * does not exist, 126 when it cannot be run, and the runtime's message as its error.
	 */
	private RuntimeException startFailed(Node node, Container container, RuntimeException ex) {
		deleteTask(node, container.id(), true);
		this.attachments.endWaiting(container.id());
		String message = (ex instanceof StatusRuntimeException status && status.getStatus().getDescription() != null)
				? status.getStatus().getDescription() : String.valueOf(ex.getMessage());
		int exitCode = (message.contains("permission denied") || message.contains("is a directory")) ? 126
				: (message.contains("not found") || message.contains("no such file")) ? 127 : 128;
		this.store.updateState(container.id(), (state) -> new ContainerState(ContainerStatus.EXITED, 0, exitCode,
				message, state.startedAt(), Instant.now(), false, state.restartCount()));
		this.waiters.exited(container.id(), exitCode);
		publish(container, "die", Map.of("exitCode", Integer.toString(exitCode)));
		if (container.autoRemove()) {
			// as dockerd: docker run --rm waits for the removal, even of a container that never ran
			removeQuietly(container.id());
		}
		if (exitCode != 128) {
			return new InvalidArgumentException("failed to create task for container: " + message);
		}
		return ex;
	}

	/**
	 * {@code POST /containers/{id}/stop}: the stop signal, then SIGKILL when the timeout passes;
	 * returns once the container has exited.
	 * @param timeout seconds, null for the container's StopTimeout (else 10), negative for no limit
	 * @return false when it was not running (Docker's 304)
	 */
	public boolean stop(String reference, Integer timeout, String signal) {
		Container container = this.store.get(reference);
		if (!isUp(container.state().status())) {
			return false;
		}
		this.store.setManuallyStopped(container.id(), true);
		if (cancelRestart(container.id())) {
			return true;
		}
		String stopSignal = !isEmpty(signal) ? signal
				: !isEmpty(container.config().stopSignal()) ? container.config().stopSignal() : "SIGTERM";
		Integer configured = container.config().stopTimeout();
		int seconds = (timeout != null) ? timeout : (configured != null) ? configured : DEFAULT_STOP_TIMEOUT;
		CompletableFuture<ExitWaiters.Outcome> exit = this.waiters.nextExit(container.id());
		if (!stillUp(container.id(), exit)) {
			return true;
		}
		try {
			signal(container, stopSignal, false);
			if (seconds < 0) {
				exit.get();
				return true;
			}
			exit.get(seconds, TimeUnit.SECONDS);
			return true;
		}
		catch (TimeoutException ex) {
			logger.info("container {} did not exit within {} s of {}: killing it", container.id(), seconds,
					stopSignal);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw Status.CANCELLED.withDescription("stop interrupted").asRuntimeException();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		killAndWait(container, exit);
		return true;
	}

	/** {@code POST /containers/{id}/restart}: stop when running, then start. */
	public void restart(String reference, Integer timeout, String signal) {
		Container container = this.store.get(reference);
		stop(container.id(), timeout, signal);
		start(container.id());
		publish(container, "restart", Map.of());
	}

	/** {@code POST /containers/{id}/kill}; the signal by name or number, SIGKILL when empty. */
	public void kill(String reference, String signal) {
		Container container = this.store.get(reference);
		if (!isUp(container.state().status())) {
			throw notRunning(container);
		}
		this.store.setManuallyStopped(container.id(), true);
		if (!cancelRestart(container.id())) {
			signal(container, isEmpty(signal) ? "SIGKILL" : signal, true);
		}
	}

	private void signal(Container container, String signal, boolean reportKill) {
		Node node = this.nodes.get(container.node());
		try {
			node.tasks()
				.kill(KillRequest.newBuilder()
					.setContainerId(container.id())
					.setSignalName(signal)
					.setAll(false)
					.build());
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
				throw new InvalidArgumentException(ex.getStatus().getDescription());
			}
			if (ex.getStatus().getCode() != Status.Code.NOT_FOUND
					&& ex.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
				throw ex;
			}
			// it exited in between: what the signal was for has happened
		}
		if (reportKill) {
			publish(container, "kill", Map.of("signal", signal));
		}
	}

	private void killAndWait(Container container, CompletableFuture<ExitWaiters.Outcome> exit) {
		signal(container, "SIGKILL", true);
		try {
			exit.get(KILL_GRACE.toSeconds(), TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("container " + container.id() + " did not exit "
					+ KILL_GRACE.toSeconds() + " s after SIGKILL: its node does not answer");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	public void pause(String reference) {
		String id = this.store.get(reference).id();
		this.locks.with(id, () -> {
			Container container = this.store.get(id);
			switch (container.state().status()) {
				case PAUSED -> throw new ConflictException("Container " + id + " is already paused");
				case RUNNING -> {
					this.nodes.get(container.node())
						.tasks()
						.pause(PauseRequest.newBuilder().setContainerId(id).build());
					this.store.updateState(id, (state) -> withStatus(state, ContainerStatus.PAUSED));
					publish(container, "pause", Map.of());
				}
				default -> throw notRunning(container);
			}
			return null;
		});
	}

	public void unpause(String reference) {
		String id = this.store.get(reference).id();
		this.locks.with(id, () -> {
			Container container = this.store.get(id);
			if (container.state().status() != ContainerStatus.PAUSED) {
				throw new ConflictException("Container " + id + " is not paused");
			}
			this.nodes.get(container.node()).tasks().resume(ResumeRequest.newBuilder().setContainerId(id).build());
			this.store.updateState(id, (state) -> withStatus(state, ContainerStatus.RUNNING));
			publish(container, "unpause", Map.of());
			return null;
		});
	}

	/**
	 * {@code POST /containers/{id}/wait}: registers the waiter and returns the future of its
	 * outcome; once this returns, no exit can be missed.
	 * @param condition {@code not-running} (also when empty), {@code next-exit} or {@code removed}
	 */
	public CompletableFuture<ExitWaiters.Outcome> waitFor(String reference, String condition) {
		Container container = this.store.get(reference);
		String id = container.id();
		return switch (isEmpty(condition) ? "not-running" : condition) {
			case "not-running" -> {
				CompletableFuture<ExitWaiters.Outcome> exit = this.waiters.nextExit(id);
				Optional<Container> now = this.store.find(id);
				if (now.isEmpty() || !isUp(now.get().state().status())) {
					this.waiters.forget(id, exit);
					long code = now.map((c) -> c.state().exitCode()).orElse(container.state().exitCode());
					yield CompletableFuture.completedFuture(new ExitWaiters.Outcome(code, ""));
				}
				yield exit;
			}
			case "next-exit" -> this.waiters.nextExit(id);
			case "removed" -> {
				CompletableFuture<ExitWaiters.Outcome> removal = this.waiters.removal(id);
				if (this.store.find(id).isEmpty()) {
					this.waiters.forget(id, removal);
					yield CompletableFuture
						.completedFuture(new ExitWaiters.Outcome(container.state().exitCode(), ""));
				}
				yield removal;
			}
			default -> throw new InvalidArgumentException("invalid condition: \"" + condition + "\"");
		};
	}

	/** {@code DELETE /containers/{id}}; a running container only with force (it is killed first). */
	public void remove(String reference, boolean force) {
		Container container = this.store.get(reference);
		if (isUp(container.state().status())) {
			if (!force) {
				throw new ConflictException("cannot remove container \"/" + container.name()
						+ "\": container is running: stop the container before removing or force remove");
			}
			// a kill on the way to removal: its restart policy must not start it again before the removal
			this.store.setManuallyStopped(container.id(), true);
			CompletableFuture<ExitWaiters.Outcome> exit = this.waiters.nextExit(container.id());
			if (!cancelRestart(container.id()) && stillUp(container.id(), exit)) {
				killAndWait(container, exit);
			}
		}
		removeStopped(container.id());
	}

	private void removeStopped(String id) {
		Container removed = this.locks.with(id, () -> {
			Optional<Container> current = this.store.find(id);
			if (current.isEmpty()) {
				return null;
			}
			Container container = current.get();
			if (isUp(container.state().status())) {
				throw new ConflictException("cannot remove container \"/" + container.name()
						+ "\": container is running: stop the container before removing or force remove");
			}
			if (container.state().status() == ContainerStatus.REMOVING) {
				throw new ConflictException("removal of container " + id + " is already in progress");
			}
			this.store.updateState(id, (state) -> withStatus(state, ContainerStatus.REMOVING));
			Node node = this.nodes.get(container.node());
			try {
				if (container.state().status() != ContainerStatus.EXITED) {
					// an exited container's task went at its exit; any other may still have one
					deleteTask(node, id, true);
				}
				node.snapshots().removeSnapshot(RemoveSnapshotRequest.newBuilder().setKey(id).build());
			}
			catch (RuntimeException ex) {
				// Docker marks a container it could not clean up as dead; rm -f tries again
				this.store.updateState(id, (state) -> withStatus(state, ContainerStatus.DEAD));
				throw ex;
			}
			this.store.delete(id);
			return container;
		});
		if (removed != null) {
			this.restarts.forget(id);
			this.health.removed(id);
			this.locks.forget(id);
			this.attachments.endWaiting(id);
			this.waiters.removed(id, removed.state().exitCode());
			publish(removed, "destroy", Map.of());
		}
	}

	public void rename(String reference, String newName) {
		Container container = this.store.get(reference);
		Container renamed = this.store.rename(container.id(), newName);
		publish(renamed, "rename", Map.of("oldName", "/" + container.name()));
	}

	/** {@code POST /containers/{id}/resize}: the terminal's size. */
	public void resize(String reference, int height, int width) {
		Container container = this.store.get(reference);
		if (!isUp(container.state().status())) {
			throw notRunning(container);
		}
		this.nodes.get(container.node())
			.tasks()
			.resizePty(ResizePtyRequest.newBuilder()
				.setContainerId(container.id())
				.setHeight(height)
				.setWidth(width)
				.build());
	}

	/**
	 * {@code POST /containers/{id}/attach}: a session on the container's stdio. A container not
	 * started yet gets it at its start, with nothing missed; a stopped one cannot be attached.
	 */
	public AttachSession attach(String reference, AttachSession.Options options, AttachClient client) {
		Container container = this.store.get(reference);
		String id = container.id();
		boolean stdinOnce = container.config().stdinOnce();
		AttachSession.Options effective = new AttachSession.Options(options.stdin() && container.config().openStdin(),
				options.stdout(), options.stderr(), stdinOnce, options.detachKeys());
		return this.locks.with(id, () -> {
			Container current = this.store.get(id);
			ContainerStatus status = current.state().status();
			if (status == ContainerStatus.EXITED || status == ContainerStatus.DEAD
					|| status == ContainerStatus.REMOVING) {
				throw new ConflictException("You cannot attach to a stopped container, start it first");
			}
			if (status == ContainerStatus.PAUSED) {
				throw new ConflictException("You cannot attach to a paused container, unpause it first");
			}
			AttachSession[] session = new AttachSession[1];
			session[0] = new AttachSession(id, effective, client, () -> this.attachments.remove(session[0]));
			this.attachments.add(session[0]);
			if (status == ContainerStatus.RUNNING) {
				session[0].connect(this.nodes.get(current.node()));
			}
			publish(current, "attach", Map.of());
			return session[0];
		});
	}

	/** {@code GET /containers/{id}/top}: the node's {@code ps}, narrowed to the container's processes. */
	public dev.berth.contracts.agent.v1.TopResponse top(String reference, String psArgs) {
		Container container = this.store.get(reference);
		if (!isUp(container.state().status())) {
			throw notRunning(container);
		}
		return this.nodes.get(container.node())
			.tasks()
			.top(dev.berth.contracts.agent.v1.TopRequest.newBuilder()
				.setContainerId(container.id())
				.setPsArgs(psArgs)
				.build());
	}

	/** One sample of the container's cgroup and of its node; empty when it does not run. */
	public Optional<dev.berth.contracts.agent.v1.StatsResponse> stats(String id) {
		Container container = this.store.get(id);
		if (!hasTask(container.state().status())) {
			return Optional.empty();
		}
		try {
			return Optional.of(this.nodes.get(container.node())
				.tasks()
				.stats(dev.berth.contracts.agent.v1.StatsRequest.newBuilder().setContainerId(container.id()).build()));
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() == Status.Code.NOT_FOUND
					|| ex.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
				return Optional.empty();
			}
			throw ex;
		}
	}

	/** Whether a container's output is a terminal's (raw) or two streams (multiplexed). */
	public boolean tty(String reference) {
		return this.store.get(reference).config().tty();
	}

	/**
	 * {@code GET /containers/{id}/logs}: the container's json-file log as its node reads it; the
	 * iterator ends with the log (or, following, with the container). Closing the caller's gRPC
	 * context cancels the read.
	 */
	public Iterator<LogsResponse> logs(String reference, LogsRequest.Builder request) {
		Container container = this.store.get(reference);
		return this.nodes.get(container.node()).tasks().logs(request.setContainerId(container.id()).build());
	}

	/**
	 * An exit reported by the node: recorded once (a duplicate after a reconnect is ignored), the
	 * task released on the node, waiters told, and an AutoRemove container removed.
	 */
	void exited(String id, int exitStatus, Instant exitedAt, boolean oomKilled) {
		Container exited = this.locks.with(id, () -> {
			Optional<Container> found = this.store.find(id);
			if (found.isEmpty() || !hasTask(found.get().state().status())) {
				return null;
			}
			Container container = found.get();
			deleteTask(this.nodes.get(container.node()), id, false);
			this.health.stopped(id);
			boolean restart = RestartPolicies.shouldRestart(container.hostConfig().restartPolicy(), exitStatus,
					container.state().restartCount(), this.store.manuallyStopped(id));
			ContainerStatus next = restart ? ContainerStatus.RESTARTING : ContainerStatus.EXITED;
			Container updated = this.store.updateState(id, (state) -> new ContainerState(next, 0, exitStatus, "",
					state.startedAt(), exitedAt, oomKilled, state.restartCount()));
			if (oomKilled) {
				publish(container, "oom", Map.of());
			}
			publish(container, "die", Map.of("exitCode", Integer.toString(exitStatus)));
			return updated;
		});
		if (exited == null) {
			return;
		}
		this.waiters.exited(id, exitStatus);
		if (exited.state().status() == ContainerStatus.RESTARTING) {
			Instant started = (exited.state().startedAt() != null) ? exited.state().startedAt() : exitedAt;
			Duration delay = this.restarts.nextDelay(id, Duration.between(started, exitedAt));
			this.restarts.schedule(id, delay, () -> restartByPolicy(id));
			return;
		}
		if (exited.autoRemove()) {
			removeQuietly(id);
		}
	}

	private void removeQuietly(String id) {
		try {
			removeStopped(id);
		}
		catch (RuntimeException ex) {
			logger.warn("could not auto-remove container {}: {}", id, ex.getMessage());
		}
	}

	/** The policy's restart, after its delay; a stop or removal in between cancelled it. */
	private void restartByPolicy(String id) {
		this.locks.with(id, () -> {
			Optional<Container> found = this.store.find(id);
			if (found.isPresent() && found.get().state().status() == ContainerStatus.RESTARTING) {
				try {
					startTask(found.get(), found.get().state().restartCount() + 1);
				}
				catch (RuntimeException ex) {
					logger.warn("restart policy could not start container {}: {}", id, ex.getMessage());
				}
			}
			return null;
		});
	}

	/**
	 * When the engine starts: containers whose policy says they run are started again, as dockerd
	 * does ({@code always} even after a manual stop, {@code unless-stopped} only if not stopped by
	 * hand, {@code on-failure} after a failure).
	 */
	void restartOnBoot() {
		for (Container container : this.store.list()) {
			ContainerStatus status = container.state().status();
			if (status != ContainerStatus.EXITED && status != ContainerStatus.RESTARTING) {
				continue;
			}
			var policy = container.hostConfig().restartPolicy();
			boolean always = policy != null && "always".equals(policy.name());
			boolean manual = !always && this.store.manuallyStopped(container.id());
			if (status == ContainerStatus.RESTARTING
					|| RestartPolicies.shouldRestart(policy, container.state().exitCode(), 0, manual)) {
				this.store.updateState(container.id(), (state) -> withStatus(state, ContainerStatus.RESTARTING));
				restartByPolicy(container.id());
			}
		}
	}

	/** Ends a restart loop waiting for its next start: the container is exited, not restarting. */
	private boolean cancelRestart(String id) {
		return this.locks.with(id, () -> {
			Optional<Container> found = this.store.find(id);
			if (found.isEmpty() || found.get().state().status() != ContainerStatus.RESTARTING) {
				return false;
			}
			this.restarts.cancel(id);
			this.store.updateState(id, (state) -> withStatus(state, ContainerStatus.EXITED));
			return true;
		});
	}

	/** Containers the store says are up, for the monitor to check against their nodes. */
	List<Container> upOn(Node node) {
		return this.store.list()
			.stream()
			.filter((c) -> c.node().equals(node.name()) && hasTask(c.state().status()))
			.toList();
	}

	private boolean stillUp(String id, CompletableFuture<ExitWaiters.Outcome> exit) {
		Optional<Container> now = this.store.find(id);
		if (now.isPresent() && isUp(now.get().state().status())) {
			return true;
		}
		this.waiters.forget(id, exit);
		return false;
	}

	private PreparedSnapshot prepareSnapshot(Node node, Container container, ResolvedImage image) {
		Iterator<PrepareSnapshotResponse> responses = node.snapshots()
			.prepareSnapshot(PrepareSnapshotRequest.newBuilder()
				.setKey(container.id())
				.addAllLayers(image.layers())
				.build());
		PreparedSnapshot prepared = null;
		while (responses.hasNext()) {
			PrepareSnapshotResponse response = responses.next();
			if (response.hasSnapshot()) {
				prepared = response.getSnapshot();
			}
		}
		if (prepared == null) {
			throw new IllegalStateException("the node prepared no snapshot for " + container.id());
		}
		return prepared;
	}

	/** Releases a container's task on its node; one that is gone already is fine. */
	private static void deleteTask(Node node, String id, boolean force) {
		try {
			node.tasks().delete(DeleteRequest.newBuilder().setContainerId(id).setForce(force).build());
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() != Status.Code.NOT_FOUND) {
				throw ex;
			}
		}
	}

	void publish(Container container, String action, Map<String, String> extra) {
		this.events.publishContainer(container, action, extra);
	}

	static boolean isUp(ContainerStatus status) {
		return status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED
				|| status == ContainerStatus.RESTARTING;
	}

	/** Whether the container has a process on its node (a restarting one waits for its next start). */
	private static boolean hasTask(ContainerStatus status) {
		return status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED;
	}

	private static ConflictException notRunning(Container container) {
		return new ConflictException("Container " + container.id() + " is not running");
	}

	private static ContainerState withStatus(ContainerState state, ContainerStatus status) {
		return new ContainerState(status, state.pid(), state.exitCode(), state.error(), state.startedAt(),
				state.finishedAt(), state.oomKilled(), state.restartCount());
	}

	private static ObjectNode objectOrNull(tools.jackson.databind.JsonNode node) {
		return (node instanceof ObjectNode object) ? object : null;
	}

	static boolean isEmpty(String text) {
		return text == null || text.isEmpty();
	}

	static String nullToEmpty(String text) {
		return (text != null) ? text : "";
	}

}
