package dev.berth.runtime.shim;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.berth.runtime.cgroup.CgroupStats;
import dev.berth.runtime.container.ContainerException;
import dev.berth.runtime.container.ContainerNotFoundException;
import dev.berth.runtime.container.ContainerExistsException;
import dev.berth.runtime.container.ContainerRuntime;
import dev.berth.runtime.container.ContainerStateException;
import dev.berth.runtime.container.InitLauncher;
import dev.berth.runtime.linux.Errno;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.SyscallException;
import dev.berth.runtime.shim.io.IoLoop;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.SpecException;

/**
 * The node shim: one per machine, the parent of every container. It outlives the agent (which may
 * be restarted or upgraded at any time), keeps every container's stdio and exit status, and
 * serves the agent over a root-only unix socket ({@link ShimWire}).
 */
public final class NodeShim {

	private static final Logger log = Logger.getLogger(NodeShim.class.getName());

	private final TaskManager tasks;

	private final EventHub events;

	private final Path socket;

	NodeShim(TaskManager tasks, EventHub events, Path socket) {
		this.tasks = tasks;
		this.events = events;
		this.socket = socket;
	}

	public static void main(String[] args) throws IOException {
		Map<String, String> options = options(args);
		if (options.containsKey("help")) {
			System.out.println("""
					berth-shim: the node shim, parent of every container on this machine

					  --state <dir>    shim state: exit records (default /run/berth/shim)
					  --root <dir>     container runtime state (default /run/berth/runtime)
					  --socket <path>  where the agent connects (default /run/berth/shim.sock)
					  --fork-inits <b> fork every init (containers' and execs') from one trained init JVM
					                   (default true; false: every init is a JVM of its own)
					""");
			return;
		}
		Path state = Path.of(options.getOrDefault("state", "/run/berth/shim"));
		Path root = Path.of(options.getOrDefault("root", "/run/berth/runtime"));
		Path socket = Path.of(options.getOrDefault("socket", "/run/berth/shim.sock"));
		// orphans of our containers come back to us, not to the host's init
		Kernel.prctl(Kernel.PR_SET_CHILD_SUBREAPER, 1);
		Files.createDirectories(state);
		Files.writeString(state.resolve("shim.pid"), Long.toString(ProcessHandle.current().pid()));
		InitLauncher launcher = new InitLauncher(InitLauncher.currentClasspath(), state.resolve("lib"));
		launcher.forkInits(Boolean.parseBoolean(options.getOrDefault("fork-inits", "true")));
		ContainerRuntime runtime = new ContainerRuntime(root, launcher);
		EventHub events = new EventHub();
		IoLoop io = IoLoop.start();
		TaskManager tasks = new TaskManager(runtime, state, io, events);
		tasks.reconcile();
		startReaper(tasks);
		new NodeShim(tasks, events, socket).serve();
	}

	/** Collects every child (inits, execs, and orphans we inherit as subreaper). */
	private static void startReaper(TaskManager tasks) {
		Thread.ofPlatform().name("berth-reaper").daemon().start(() -> {
			while (true) {
				try {
					int[] reaped = Kernel.waitpid(-1, 0);
					tasks.reaped(reaped[0], reaped[1]);
				}
				catch (SyscallException ex) {
					if (ex.errno() != Errno.ECHILD) {
						log.log(Level.WARNING, "waitpid failed", ex);
					}
					try {
						Thread.sleep(20); // no children yet
					}
					catch (InterruptedException ie) {
						return;
					}
				}
			}
		});
	}

	void serve() throws IOException {
		Files.createDirectories(this.socket.getParent());
		Files.deleteIfExists(this.socket);
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(this.socket));
			// only root may drive the containers of this machine
			Files.setPosixFilePermissions(this.socket, PosixFilePermissions.fromString("rw-------"));
			System.err.println("berth-shim: serving on " + this.socket + " (pid " + Kernel.getpid() + ")");
			while (true) {
				SocketChannel client = server.accept();
				Thread.ofVirtual().name("berth-shim-conn").start(() -> handle(client));
			}
		}
	}

	private void handle(SocketChannel client) {
		try (client) {
			JsonObject request = ShimWire.readLine(client);
			String op = request.string("op", "");
			if (op.equals("events")) {
				ShimWire.writeLine(client, Json.obj("ok", true));
				this.events.subscribe(client);
				return;
			}
			if (op.equals("attach")) {
				attach(client, request);
				return;
			}
			Object result;
			try {
				result = dispatch(op, request);
			}
			catch (ShimException ex) {
				ShimWire.writeLine(client, Json.obj("ok", false, "kind", ex.kind().name(), "error", ex.getMessage()));
				return;
			}
			catch (ContainerNotFoundException ex) {
				ShimWire.writeLine(client, Json.obj("ok", false, "kind", "NOT_FOUND", "error", ex.getMessage()));
				return;
			}
			catch (SpecException | IllegalArgumentException ex) {
				ShimWire.writeLine(client, Json.obj("ok", false, "kind", "INVALID", "error", ex.getMessage()));
				return;
			}
			catch (ContainerExistsException ex) {
				ShimWire.writeLine(client, Json.obj("ok", false, "kind", "EXISTS", "error", ex.getMessage()));
				return;
			}
			catch (ContainerStateException ex) {
				ShimWire.writeLine(client, Json.obj("ok", false, "kind", "CONFLICT", "error", ex.getMessage()));
				return;
			}
			catch (ContainerException ex) {
				ShimWire.writeLine(client, Json.obj("ok", false, "kind", "INVALID", "error", ex.getMessage()));
				return;
			}
			catch (RuntimeException ex) {
				log.log(Level.WARNING, op + " failed", ex);
				ShimWire.writeLine(client, Json.obj("ok", false, "kind", "FAILED", "error", String.valueOf(ex.getMessage())));
				return;
			}
			Map<String, Object> response = new java.util.LinkedHashMap<>();
			response.put("ok", true);
			response.put("result", result);
			ShimWire.writeLine(client, response);
		}
		catch (IOException ex) {
			// the client went away
		}
	}

	private Object dispatch(String op, JsonObject r) {
		String id = r.string("id", "");
		String execId = r.string("execId", "");
		return switch (op) {
			case "create" -> {
				Task task = this.tasks.create(id, Path.of(r.requiredString("bundle")), stdio(r.object("stdio")));
				yield Json.obj("pid", task.pid());
			}
			case "start" -> {
				this.tasks.start(id, execId);
				yield Json.obj("pid", this.tasks.task(id, execId).pid());
			}
			case "exec" -> {
				this.tasks.exec(id, execId, r.requiredString("process"), stdio(r.object("stdio")));
				yield Map.of();
			}
			case "kill" -> {
				this.tasks.kill(id, execId, (int) r.integer("signal", Kernel.SIGTERM), r.bool("all", false));
				yield Map.of();
			}
			case "delete" -> exit(this.tasks.delete(id, execId, r.bool("force", false)));
			case "wait" -> exit(this.tasks.await(id, execId));
			case "state" -> this.tasks.state(id, execId);
			case "list" -> this.tasks.list();
			case "resize" -> {
				this.tasks.resize(id, execId, (int) r.integer("width", 80), (int) r.integer("height", 24));
				yield Map.of();
			}
			case "closeStdin" -> {
				this.tasks.closeStdin(id, execId);
				yield Map.of();
			}
			case "pause" -> {
				this.tasks.pause(id);
				yield Map.of();
			}
			case "resume" -> {
				this.tasks.resume(id);
				yield Map.of();
			}
			case "update" -> {
				this.tasks.update(id, RuntimeSpec.Resources.read(r.object("resources")));
				yield Map.of();
			}
			case "stats" -> stats(this.tasks.stats(id));
			case "pids" -> this.tasks.pids(id);
			case "ping" -> Json.obj("pid", Kernel.getpid());
			default -> throw new ShimException(ShimException.Kind.INVALID, "unknown operation \"" + op + "\"");
		};
	}

	/** Attaches the connection to a process: output frames out, stdin frames in. */
	private void attach(SocketChannel client, JsonObject request) throws IOException {
		Task task;
		try {
			task = this.tasks.task(request.string("id", ""), request.string("execId", ""));
		}
		catch (ShimException ex) {
			ShimWire.writeLine(client, Json.obj("ok", false, "kind", ex.kind().name(), "error", ex.getMessage()));
			return;
		}
		// the answer is queued ahead of any output and sent once the attachment is in place
		Attachment attachment = new Attachment(client, request.bool("stdout", true), request.bool("stderr", true),
				ShimWire.line(Json.obj("ok", true)));
		task.attach(attachment);
		boolean stdin = request.bool("stdin", false) && task.takesStdin();
		try {
			ShimWire.Frame frame;
			while ((frame = ShimWire.readFrame(client)) != null) {
				if (!stdin || frame.stream() != ShimWire.STDIN) {
					continue;
				}
				if (frame.data().length == 0) {
					task.closeStdin();
				}
				else {
					try {
						task.writeStdin(frame.data());
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						break;
					}
				}
			}
			// the client half-closed: that is the end of its stdin, not of its interest in output
			if (stdin) {
				task.closeStdin();
			}
			attachment.awaitClosed();
		}
		catch (IOException ex) {
			// the client went away
		}
		finally {
			task.detach(attachment);
			attachment.close();
		}
	}

	private static Map<String, Object> exit(ExitStatus status) {
		if (status == null) {
			return Map.of();
		}
		return Json.obj("exitStatus", status.code(), "exitedAt", status.exitedAtNanos(), "oomKilled", status.oomKilled());
	}

	private static Map<String, Object> stats(CgroupStats stats) {
		return Json.obj("cpuUsage", stats.cpu().usageNanos(), "cpuUser", stats.cpu().userNanos(), "cpuSystem",
				stats.cpu().systemNanos(), "perCpu", stats.cpu().perCpuUsageNanos(), "memoryUsage",
				stats.memory().usage(), "memoryLimit", stats.memory().limit(), "memoryMaxUsage", stats.memory().maxUsage(),
				"memoryCache", stats.memory().cache(), "pidsCurrent", stats.pids().current(), "pidsLimit",
				stats.pids().limit(), "oomKills", stats.oomKills());
	}

	private static Task.StdioConfig stdio(JsonObject o) {
		if (o == null) {
			return Task.StdioConfig.NONE;
		}
		return new Task.StdioConfig(o.bool("terminal", false), o.bool("stdin", false), o.string("logPath", ""),
				o.integer("logMaxSize", 0), (int) o.integer("logMaxFiles", 0), (int) o.integer("width", 0),
				(int) o.integer("height", 0));
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new java.util.HashMap<>();
		for (int i = 0; i < args.length; i++) {
			String name = args[i].replaceFirst("^--?", "");
			if (name.equals("help") || name.equals("h")) {
				options.put("help", "true");
			}
			else if (i + 1 < args.length) {
				options.put(name, args[++i]);
			}
		}
		return options;
	}

}
