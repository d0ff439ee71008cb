package dev.berth.runtime.shim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.berth.runtime.cgroup.CgroupManager;
import dev.berth.runtime.cgroup.CgroupStats;
import dev.berth.runtime.container.ContainerException;
import dev.berth.runtime.container.ContainerExistsException;
import dev.berth.runtime.container.ContainerRuntime;
import dev.berth.runtime.container.ProcessInfo;
import dev.berth.runtime.container.ContainerRuntime.Status;
import dev.berth.runtime.container.ContainerRuntime.Stdio;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.UnixSockets;
import dev.berth.runtime.shim.io.IoLoop;
import dev.berth.runtime.shim.io.JsonFileLog;
import dev.berth.runtime.shim.io.OutputSink;
import dev.berth.runtime.spec.RuntimeSpec;

/**
 * The shim's tasks: every container init and exec on this node, with their stdio and exit
 * status. The shim is their parent (and child subreaper), so exits arrive here by {@code waitpid}
 * and are written to {@code exits/} before anyone is told, to survive a shim restart.
 */
final class TaskManager {

	private static final Logger log = Logger.getLogger(TaskManager.class.getName());

	/** How long an exit waits for output still held open by an orphaned grandchild. */
	private static final long OUTPUT_GRACE_MILLIS = 2000;

	private final ContainerRuntime runtime;

	private final Path exitsDir;

	private final IoLoop io;

	private final EventHub events;

	private final Map<String, Task> tasks = new ConcurrentHashMap<>();

	private final Map<Integer, Task> byPid = new ConcurrentHashMap<>();

	private final Map<Integer, ExitStatus> unclaimedExits = new ConcurrentHashMap<>();

	private final Map<String, Object> locks = new ConcurrentHashMap<>();

	TaskManager(ContainerRuntime runtime, Path stateDir, IoLoop io, EventHub events) {
		this.runtime = runtime;
		this.exitsDir = stateDir.resolve("exits");
		this.io = io;
		this.events = events;
	}

	Object lock(String containerId) {
		return this.locks.computeIfAbsent(containerId, (k) -> new Object());
	}

	/** Creates a container from a prepared bundle; its init waits for {@link #start}. */
	Task create(String id, Path bundle, Task.StdioConfig stdio) {
		synchronized (lock(id)) {
			if (this.tasks.containsKey(id)) {
				throw new ContainerExistsException(id);
			}
			Task task = new Task(id, "", stdio.terminal(), null, stdio);
			spawn(task, (fds) -> this.runtime.create(id, bundle, fds).pid());
			this.tasks.put(id, task);
			this.events.publish("create", id, "", Map.of("pid", task.pid()));
			return task;
		}
	}

	void start(String id, String execId) {
		synchronized (lock(id)) {
			Task task = task(id, execId);
			if (task.phase() == Task.Phase.STOPPED) {
				// its init failed after it was set up (its stderr, the container's log, says why)
				throw new ShimException(ShimException.Kind.CONFLICT, "process " + task.key() + " exited before it was started");
			}
			if (task.phase() != Task.Phase.CREATED) {
				throw new ShimException(ShimException.Kind.CONFLICT, "process " + task.key() + " was already started");
			}
			if (execId.isEmpty()) {
				this.runtime.start(id);
				task.started();
				this.events.publish("start", id, "", Map.of("pid", task.pid()));
				return;
			}
			RuntimeSpec.Process process = RuntimeSpec.Process.parse(task.processJson());
			spawn(task, (fds) -> this.runtime.exec(id, process, task.processJson(), fds));
			task.started();
			this.events.publish("exec-started", id, execId, Map.of("pid", task.pid()));
		}
	}

	/** Registers an exec process; {@link #start} runs it. */
	void exec(String id, String execId, String processJson, Task.StdioConfig stdio) {
		synchronized (lock(id)) {
			Task init = task(id, "");
			if (init.phase() != Task.Phase.RUNNING) {
				throw new ShimException(ShimException.Kind.CONFLICT, "container " + id + " is not running");
			}
			if (execId.isEmpty() || this.tasks.containsKey(Task.key(id, execId))) {
				throw new ShimException(ShimException.Kind.CONFLICT, "exec id \"" + execId + "\" is empty or in use");
			}
			RuntimeSpec.Process process = RuntimeSpec.Process.parse(processJson);
			Task task = new Task(id, execId, process.terminal(), processJson, stdio);
			this.tasks.put(task.key(), task);
			this.events.publish("exec-added", id, execId, Map.of());
		}
	}

	void kill(String id, String execId, int signal, boolean all) {
		Task task = task(id, execId);
		if (task.phase() == Task.Phase.STOPPED && !all) {
			throw new ShimException(ShimException.Kind.CONFLICT, "process " + task.key() + " is not running");
		}
		if (execId.isEmpty()) {
			this.runtime.kill(id, signal, all);
		}
		else {
			Kernel.kill(task.pid(), signal);
		}
	}

	/** Deletes a stopped process (or, forced, a container in any state); returns how it ended. */
	ExitStatus delete(String id, String execId, boolean force) {
		synchronized (lock(id)) {
			Task task = task(id, execId);
			if (!execId.isEmpty()) {
				if (task.phase() == Task.Phase.RUNNING) {
					throw new ShimException(ShimException.Kind.CONFLICT, "exec " + execId + " is still running");
				}
				this.tasks.remove(task.key());
				task.released();
				return task.exit().getNow(null);
			}
			if (task.phase() == Task.Phase.RUNNING && !force) {
				throw new ShimException(ShimException.Kind.CONFLICT,
						"cannot delete container " + id + " that is not stopped: running");
			}
			if (task.phase() != Task.Phase.STOPPED) {
				this.runtime.kill(id, Kernel.SIGKILL, true);
				awaitExit(task);
			}
			this.runtime.delete(id, true);
			this.tasks.values().removeIf((t) -> {
				boolean ours = t.containerId().equals(id);
				if (ours) {
					t.released();
				}
				return ours;
			});
			this.locks.remove(id);
			try {
				Files.deleteIfExists(exitFile(id));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.events.publish("delete", id, "", Map.of());
			return task.exit().getNow(null);
		}
	}

	ExitStatus await(String id, String execId) {
		return awaitExit(task(id, execId));
	}

	Map<String, Object> state(String id, String execId) {
		Task task = task(id, execId);
		Map<String, Object> state = new LinkedHashMap<>();
		state.put("id", id);
		state.put("execId", execId);
		state.put("pid", task.pid());
		String status = task.phase().name().toLowerCase(java.util.Locale.ROOT);
		if (execId.isEmpty() && task.phase() == Task.Phase.RUNNING && this.runtime.status(id) == Status.PAUSED) {
			status = "paused";
		}
		state.put("status", status);
		state.put("terminal", task.terminal());
		state.put("createdAt", task.createdAtNanos());
		state.put("startedAt", task.startedAtNanos());
		ExitStatus exit = task.exit().getNow(null);
		if (exit != null) {
			state.put("exitStatus", exit.code());
			state.put("exitedAt", exit.exitedAtNanos());
			state.put("oomKilled", exit.oomKilled());
		}
		return state;
	}

	List<Map<String, Object>> list() {
		List<Map<String, Object>> states = new ArrayList<>();
		for (Task task : this.tasks.values()) {
			if (task.execId().isEmpty()) {
				states.add(state(task.containerId(), ""));
			}
		}
		return states;
	}

	void resize(String id, String execId, int width, int height) {
		task(id, execId).resize(width, height);
	}

	void closeStdin(String id, String execId) {
		task(id, execId).closeStdin();
	}

	void pause(String id) {
		this.runtime.pause(id);
		this.events.publish("paused", id, "", Map.of());
	}

	void resume(String id) {
		this.runtime.resume(id);
		this.events.publish("resumed", id, "", Map.of());
	}

	void update(String id, RuntimeSpec.Resources resources) {
		task(id, "");
		this.runtime.cgroup(id).set(resources);
	}

	CgroupStats stats(String id) {
		task(id, "");
		return this.runtime.cgroup(id).stats();
	}

	/** Every process of the container, with the exec id of those started as execs. */
	List<Map<String, Object>> pids(String id) {
		task(id, "");
		List<Map<String, Object>> processes = new ArrayList<>();
		for (long pid : this.runtime.pids(id)) {
			Task exec = this.byPid.get((int) pid);
			String execId = (exec != null && exec.containerId().equals(id)) ? exec.execId() : "";
			processes.add(Map.of("pid", pid, "execId", execId));
		}
		return processes;
	}

	void attach(String id, String execId, Attachment attachment) {
		task(id, execId).attach(attachment);
	}

	Task task(String id, String execId) {
		Task task = this.tasks.get(Task.key(id, execId));
		if (task == null) {
			throw new ShimException(ShimException.Kind.NOT_FOUND,
					execId.isEmpty() ? "container " + id + " not found" : "exec " + execId + " not found in " + id);
		}
		return task;
	}

	/** Called by the reaper for every child it collects. */
	void reaped(int pid, int waitStatus) {
		long now = System.currentTimeMillis() * 1_000_000L;
		Task task = this.byPid.remove(pid);
		if (task == null) {
			// an orphan reparented to us, or a task whose spawn has not been recorded yet
			this.unclaimedExits.put(pid, new ExitStatus(Kernel.exitCode(waitStatus), now, false));
			return;
		}
		exited(task, new ExitStatus(Kernel.exitCode(waitStatus), now, false));
	}

	private void exited(Task task, ExitStatus status) {
		if (task.execId().isEmpty()) {
			boolean oom = oomKilled(task.containerId());
			status = new ExitStatus(status.code(), status.exitedAtNanos(), oom);
			try {
				status.save(exitFile(task.containerId()));
			}
			catch (IOException ex) {
				log.log(Level.WARNING, "cannot record the exit of " + task.containerId(), ex);
			}
			if (oom) {
				this.events.publish("oom", task.containerId(), "", Map.of());
			}
		}
		ExitStatus finalStatus = status;
		task.reaped(finalStatus, true);
		Thread.ofVirtual().start(() -> {
			// output normally drains at once; an orphan holding the pipe must not hold up the exit
			try {
				task.exit().get(OUTPUT_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
			}
			catch (Exception ex) {
				task.finish(finalStatus);
			}
			this.events.publish("exit", task.containerId(), task.execId(),
					Map.of("pid", task.pid(), "exitStatus", finalStatus.code(), "exitedAt", finalStatus.exitedAtNanos(),
							"oomKilled", finalStatus.oomKilled()));
		});
	}

	private boolean oomKilled(String id) {
		try {
			return this.runtime.cgroup(id).oomKillCount() > 0;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * After a shim restart: containers still running are tasks again (their stdio was the old
	 * shim's and is gone); those that ended are reported with the exit recorded then, or 255.
	 */
	void reconcile() {
		for (String id : this.runtime.list()) {
			Task task = new Task(id, "", false, null, Task.StdioConfig.NONE);
			try {
				int pid = this.runtime.load(id).pid();
				Status status = this.runtime.status(id);
				task.spawned(pid, 0);
				this.tasks.put(id, task);
				if (status != Status.CREATED) {
					task.started();
				}
				if (Files.exists(exitFile(id))) {
					task.reaped(ExitStatus.load(exitFile(id)), false);
				}
				else if (status == Status.STOPPED) {
					task.reaped(ExitStatus.unknown(), false);
				}
				else {
					watchForeign(task, pid);
				}
			}
			catch (IOException | ContainerException ex) {
				log.log(Level.WARNING, "cannot reconcile container " + id, ex);
			}
		}
	}

	/** A process that is not our child: poll until it is gone. */
	private void watchForeign(Task task, int pid) {
		Thread.ofVirtual().start(() -> {
			while (ProcessInfo.isRunning(pid)) {
				try {
					Thread.sleep(200);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
			exited(task, ExitStatus.unknown());
		});
	}

	private ExitStatus awaitExit(Task task) {
		try {
			return task.exit().get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ShimException(ShimException.Kind.FAILED, "interrupted");
		}
		catch (java.util.concurrent.ExecutionException ex) {
			throw new ShimException(ShimException.Kind.FAILED, ex.getCause().getMessage());
		}
	}

	private Path exitFile(String id) {
		return this.exitsDir.resolve(id + ".json");
	}

	/**
	 * Starts the process of {@code task} with pipes (or a pty) whose other ends the shim keeps,
	 * and wires them to the log and to attached clients.
	 */
	private void spawn(Task task, Spawner spawner) {
		Task.StdioConfig config = task.stdio();
		List<Integer> childEnds = new ArrayList<>();
		List<Integer> ourEnds = new ArrayList<>();
		int devNull = Kernel.open("/dev/null", Kernel.O_RDWR | Kernel.O_CLOEXEC, 0);
		childEnds.add(devNull);
		try {
			int stdinChild = devNull;
			int stdinOurs = -1;
			if (config.stdin() && !task.terminal()) {
				int[] pipe = Kernel.pipe();
				stdinChild = pipe[0];
				stdinOurs = pipe[1];
				childEnds.add(pipe[0]);
			}
			int[] fds;
			int consoleChild = -1;
			int consoleOurs = -1;
			int stdoutOurs = -1;
			int stderrOurs = -1;
			if (task.terminal()) {
				int[] pair = UnixSockets.pair();
				consoleOurs = pair[0];
				consoleChild = pair[1];
				childEnds.add(consoleChild);
				ourEnds.add(consoleOurs);
				fds = new int[] { devNull, devNull, devNull };
			}
			else {
				int[] out = Kernel.pipe();
				int[] err = Kernel.pipe();
				childEnds.add(out[1]);
				childEnds.add(err[1]);
				stdoutOurs = out[0];
				stderrOurs = err[0];
				fds = new int[] { stdinChild, out[1], err[1] };
			}
			int pid;
			try {
				pid = spawner.spawn(new Stdio(fds, consoleChild));
			}
			catch (RuntimeException ex) {
				closeAll(List.of(stdinOurs, stdoutOurs, stderrOurs));
				throw ex;
			}
			JsonFileLog logFile = openLog(config);
			if (task.terminal()) {
				int master = UnixSockets.receiveDescriptor(consoleOurs);
				if (config.width() > 0 && config.height() > 0) {
					dev.berth.runtime.linux.Pty.setSize(master, config.height(), config.width());
				}
				task.useMaster(Kernel.dup(master));
				task.useStdin(this.io.writer(Kernel.dup(master)));
				task.spawned(pid, 1);
				java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(1);
				this.io.watchOutput(master, sink(task, ShimWire.STDOUT, logFile, open));
			}
			else {
				if (stdinOurs >= 0) {
					task.useStdin(this.io.writer(stdinOurs));
				}
				task.spawned(pid, 2);
				java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(2);
				this.io.watchOutput(stdoutOurs, sink(task, ShimWire.STDOUT, logFile, open));
				this.io.watchOutput(stderrOurs, sink(task, ShimWire.STDERR, logFile, open));
			}
			this.byPid.put(pid, task);
			ExitStatus early = this.unclaimedExits.remove(pid);
			if (early != null) {
				this.byPid.remove(pid);
				exited(task, early);
			}
		}
		finally {
			closeAll(childEnds);
			closeAll(ourEnds);
		}
	}

	/** The json-file log of a process, bounded: Docker's format, rotated by size. */
	private static JsonFileLog openLog(Task.StdioConfig config) {
		if (config.logPath().isEmpty()) {
			return null;
		}
		JsonFileLog.Options options = JsonFileLog.Options.defaults();
		if (config.logMaxSize() > 0) {
			options = options.withMaxSize(config.logMaxSize());
		}
		if (config.logMaxFiles() > 0) {
			options = options.withMaxFiles(config.logMaxFiles());
		}
		try {
			return JsonFileLog.open(Path.of(config.logPath()), options);
		}
		catch (IOException ex) {
			throw new ShimException(ShimException.Kind.INVALID, "cannot open log " + config.logPath() + ": " + ex.getMessage());
		}
	}

	/** Output to the log and the attached clients; the last stream to end closes the log. */
	private static OutputSink sink(Task task, int stream, JsonFileLog logFile,
			java.util.concurrent.atomic.AtomicInteger openStreams) {
		OutputSink logSink = (logFile == null) ? null : (stream == ShimWire.STDERR) ? logFile.stderr() : logFile.stdout();
		return new OutputSink() {

			@Override
			public void onData(byte[] data, int length) {
				if (logSink != null) {
					logSink.onData(data, length);
				}
				task.output(stream, data, length);
			}

			@Override
			public void onEnd() {
				if (logSink != null) {
					logSink.onEnd();
					if (openStreams.decrementAndGet() == 0) {
						try {
							logFile.close();
						}
						catch (IOException ex) {
							log.log(Level.WARNING, "cannot close the log of " + task.key(), ex);
						}
					}
				}
				task.outputEnded();
			}

		};
	}

	private static void closeAll(List<Integer> fds) {
		for (int fd : fds) {
			if (fd >= 0) {
				Kernel.close(fd);
			}
		}
	}

	@FunctionalInterface
	interface Spawner {

		int spawn(Stdio stdio);

	}

}
