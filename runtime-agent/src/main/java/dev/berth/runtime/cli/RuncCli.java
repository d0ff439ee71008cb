package dev.berth.runtime.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.berth.runtime.container.ContainerRuntime;
import dev.berth.runtime.container.ContainerRuntime.Stdio;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.container.InitLauncher;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.Pty;
import dev.berth.runtime.linux.Signals;
import dev.berth.runtime.linux.UnixSockets;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;

/**
 * {@code berth-runc}: a runc-compatible command line over {@link ContainerRuntime}, so tools that
 * drive runc (containerd among them) can drive Berth's runtime, and so Berth can be compared with
 * runc and crun on identical bundles.
 */
public final class RuncCli {

	static final String VERSION = "0.1.0";

	private static final Set<String> GLOBAL_VALUED = Set.of("root", "log", "log-format", "criu", "rootless");

	private static final String USAGE = """
			berth-runc: Berth's OCI runtime, with runc's command line

			Usage: berth-runc [global options] <command> [options] <container-id>

			Commands:
			  create   create a container from a bundle; it waits for start
			  start    run the process of a created container
			  run      create and start a container (in the foreground unless --detach)
			  state    print a container's state as JSON
			  kill     send a signal (default SIGTERM) to a container's init, or --all its processes
			  delete   remove a stopped container (--force: any container)
			  exec     run an extra process in a running container
			  ps       list the processes of a container (--format table|json)
			  pause    freeze every process of a container
			  resume   thaw a paused container
			  list     list containers (--quiet, --format table|json)
			  spec     write a starter config.json into the bundle (--bundle)
			  features print what this runtime supports, as JSON

			Global options:
			  --root <dir>          state directory (default /run/berth-runc)
			  --log <file>          append error logs to this file
			  --log-format <fmt>    text or json (default text)
			  --debug               more logging
			  --help, -h            this text
			  --version, -v         the version

			Command options:
			  --bundle, -b <dir>     bundle directory (default: the current directory)
			  --console-socket <p>   unix socket that receives the pty master when process.terminal is true
			  --pid-file <file>      write the container's (or exec's) pid here
			  --detach, -d           (run, exec) do not wait for the process
			  --force, -f            (delete) kill and remove a running container
			  --all, -a              (kill) signal every process of the container
			  --process, -p <file>   (exec) the process as an OCI process JSON
			  --tty, -t              (exec) allocate a pty
			  --cwd, --env/-e, --user/-u uid[:gid], --additional-gids/-g, --cap/-c, --no-new-privs  (exec)
			""";

	private final PrintStream out;

	private final PrintStream err;

	private String logFile;

	private boolean debug;

	private final long startNanos = System.nanoTime();

	private boolean jsonLog;

	RuncCli(PrintStream out, PrintStream err) {
		this.out = out;
		this.err = err;
	}

	public static void main(String[] args) {
		int code = new RuncCli(System.out, System.err).run(List.of(args));
		System.out.flush();
		System.exit(code);
	}

	int run(List<String> argv) {
		int commandIndex = 0;
		List<String> globals = new ArrayList<>();
		while (commandIndex < argv.size() && argv.get(commandIndex).startsWith("-")) {
			String arg = argv.get(commandIndex++);
			globals.add(arg);
			String name = arg.replaceFirst("^--?", "");
			if (GLOBAL_VALUED.contains(name) && commandIndex < argv.size()) {
				globals.add(argv.get(commandIndex++));
			}
		}
		Args global = Args.parse(globals, GLOBAL_VALUED, Map.of("h", "help", "v", "version"), false);
		this.logFile = global.get("log", null);
		this.jsonLog = global.get("log-format", "text").equals("json");
		this.debug = global.flag("debug");
		if (global.flag("version")) {
			this.out.println("berth-runc version " + VERSION + "\nspec: 1.2.0");
			return 0;
		}
		if (global.flag("help") || commandIndex >= argv.size()) {
			this.out.print(USAGE);
			return global.flag("help") ? 0 : 1;
		}
		String command = argv.get(commandIndex);
		List<String> rest = argv.subList(commandIndex + 1, argv.size());
		if (rest.contains("--help") || rest.contains("-h")) {
			this.out.print(USAGE);
			return 0;
		}
		Path root = Path.of(global.get("root", "/run/berth-runc"));
		try {
			return dispatch(command, rest, root);
		}
		catch (Args.UsageException ex) {
			return fail(ex.getMessage() + " (see berth-runc --help)");
		}
		catch (RuntimeException ex) {
			return fail((ex.getMessage() != null) ? ex.getMessage() : ex.toString());
		}
	}

	private int dispatch(String command, List<String> rest, Path root) {
		return switch (command) {
			case "create" -> create(rest, root, false);
			case "run" -> create(rest, root, true);
			case "start" -> {
				runtime(root).start(id(parse(rest, Set.of())));
				yield 0;
			}
			case "state" -> {
				this.out.println(Json.writeIndented(runtime(root).stateDocument(id(parse(rest, Set.of()))), "  "));
				yield 0;
			}
			case "kill" -> kill(rest, root);
			case "delete" -> {
				Args args = parse(rest, Set.of());
				runtime(root).delete(id(args), args.flag("force"));
				yield 0;
			}
			case "exec" -> exec(rest, root);
			case "ps" -> ps(rest, root);
			case "pause" -> {
				runtime(root).pause(id(parse(rest, Set.of())));
				yield 0;
			}
			case "resume" -> {
				runtime(root).resume(id(parse(rest, Set.of())));
				yield 0;
			}
			case "list" -> list(rest, root);
			case "spec" -> spec(rest);
			case "features" -> {
				this.out.println(Json.writeIndented(Features.describe(), "    "));
				yield 0;
			}
			default -> throw new Args.UsageException("unknown command \"" + command + "\"");
		};
	}

	private int create(List<String> rest, Path root, boolean run) {
		Args args = parse(rest, Set.of("bundle", "console-socket", "pid-file"));
		String id = id(args);
		ContainerRuntime runtime = runtime(root);
		Path bundle = Path.of(args.get("bundle", "."));
		String consolePath = args.get("console-socket", null);
		boolean foreground = run && !args.flag("detach");
		ConsoleLink console = ConsoleLink.open(consolePath, foreground && wantsTerminal(bundle));
		ContainerState state;
		trace("ready to create");
		try {
			state = runtime.create(id, bundle, new Stdio(new int[] { 0, 1, 2 }, console.initEnd()));
		}
		finally {
			console.closeInitEnd();
		}
		trace("created");
		writePidFile(args.get("pid-file", null), state.pid());
		if (!run) {
			console.close();
			return 0;
		}
		// from before start on, as runc does: a signal sent to us is meant for the container
		Runnable restoreSignals = foreground ? forwardSignals(state.pid(), console) : () -> {
		};
		runtime.start(id);
		trace("started");
		if (!foreground) {
			console.close();
			return 0;
		}
		console.proxy();
		int code = waitFor(state.pid());
		restoreSignals.run();
		trace("exited");
		console.close();
		runtime.delete(id, true);
		trace("deleted");
		return code;
	}

	private int exec(List<String> rest, Path root) {
		Args args = Args.parse(rest,
				Set.of("process", "console-socket", "pid-file", "cwd", "env", "user", "additional-gids", "cap",
						"process-label", "apparmor"),
				Map.of("p", "process", "t", "tty", "d", "detach", "e", "env", "u", "user", "g", "additional-gids", "c",
						"cap"),
				true);
		if (args.positional().isEmpty()) {
			throw new Args.UsageException("exec needs a container id");
		}
		String id = args.positional().get(0);
		ContainerRuntime runtime = runtime(root);
		String processJson = execProcess(runtime, id, args);
		RuntimeSpec.Process process = RuntimeSpec.Process.parse(processJson);
		boolean foreground = !args.flag("detach");
		ConsoleLink console = ConsoleLink.open(args.get("console-socket", null), foreground && process.terminal());
		int pid;
		try {
			pid = runtime.exec(id, process, processJson, new Stdio(new int[] { 0, 1, 2 }, console.initEnd()));
		}
		finally {
			console.closeInitEnd();
		}
		writePidFile(args.get("pid-file", null), pid);
		if (!foreground) {
			console.close();
			return 0;
		}
		console.proxy();
		Runnable restoreSignals = forwardSignals(pid, console);
		int code = waitFor(pid);
		restoreSignals.run();
		console.close();
		return code;
	}

	/** The exec'd process: --process, or the container's own process with the flags applied. */
	private static String execProcess(ContainerRuntime runtime, String id, Args args) {
		String file = args.get("process", null);
		if (file != null) {
			try {
				return Files.readString(Path.of(file));
			}
			catch (IOException ex) {
				throw new IllegalArgumentException("cannot read --process " + file + ": " + ex.getMessage());
			}
		}
		List<String> command = args.positional().subList(1, args.positional().size());
		if (command.isEmpty()) {
			throw new Args.UsageException("exec needs a command to run (or --process)");
		}
		ContainerState state = runtime.load(id);
		JsonObject spec;
		try {
			spec = JsonObject.parse(Files.readString(runtime.root().resolve(state.id()).resolve("config.json")));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		Map<String, Object> process = new java.util.LinkedHashMap<>(spec.object("process").fields());
		process.put("args", command);
		process.put("terminal", args.flag("tty"));
		process.remove("consoleSize");
		if (args.get("cwd", null) != null) {
			process.put("cwd", args.get("cwd", "/"));
		}
		List<Object> env = new ArrayList<>(spec.object("process").strings("env"));
		env.addAll(args.all("env"));
		process.put("env", env);
		String user = args.get("user", null);
		if (user != null) {
			String[] ids = user.split(":");
			Map<String, Object> u = new java.util.LinkedHashMap<>();
			u.put("uid", Long.parseLong(ids[0]));
			u.put("gid", (ids.length > 1) ? Long.parseLong(ids[1]) : 0L);
			List<Long> groups = args.all("additional-gids").stream().map(Long::parseLong).toList();
			u.put("additionalGids", groups);
			process.put("user", u);
		}
		if (!args.all("cap").isEmpty()) {
			Map<String, Object> caps = new java.util.LinkedHashMap<>(spec.object("process").object("capabilities").fields());
			for (String set : List.of("bounding", "effective", "permitted")) {
				List<Object> list = new ArrayList<>(spec.object("process").object("capabilities").strings(set));
				list.addAll(args.all("cap"));
				caps.put(set, list);
			}
			process.put("capabilities", caps);
		}
		if (args.flag("no-new-privs")) {
			process.put("noNewPrivileges", true);
		}
		return Json.write(process);
	}

	private int kill(List<String> rest, Path root) {
		Args args = parse(rest, Set.of());
		String id = id(args);
		int signal = (args.positional().size() > 1) ? Signals.parse(args.positional().get(1)) : Kernel.SIGTERM;
		runtime(root).kill(id, signal, args.flag("all"));
		return 0;
	}

	private int ps(List<String> rest, Path root) {
		Args args = parse(rest, Set.of("format"));
		List<Long> pids = runtime(root).pids(id(args));
		if (args.get("format", "table").equals("json")) {
			this.out.println(Json.write(pids));
			return 0;
		}
		this.out.println("PID     CMD");
		for (long pid : pids) {
			String cmd;
			try {
				cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').trim();
			}
			catch (IOException ex) {
				cmd = "";
			}
			this.out.printf("%-7d %s%n", pid, cmd);
		}
		return 0;
	}

	private int list(List<String> rest, Path root) {
		Args args = parse(rest, Set.of("format"));
		ContainerRuntime runtime = runtime(root);
		List<Map<String, Object>> states = new ArrayList<>();
		for (String id : runtime.list()) {
			states.add(runtime.stateDocument(id));
		}
		if (args.flag("quiet") || args.flag("q")) {
			states.forEach((s) -> this.out.println(s.get("id")));
		}
		else if (args.get("format", "table").equals("json")) {
			this.out.println(Json.write(states));
		}
		else {
			this.out.printf("%-20s %-8s %-10s %-40s %s%n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
			for (Map<String, Object> s : states) {
				this.out.printf("%-20s %-8s %-10s %-40s %s%n", s.get("id"), s.get("pid"), s.get("status"),
						s.get("bundle"), s.get("created"));
			}
		}
		return 0;
	}

	private int spec(List<String> rest) {
		Args args = parse(rest, Set.of("bundle"));
		Path config = Path.of(args.get("bundle", ".")).resolve("config.json");
		if (Files.exists(config)) {
			throw new IllegalStateException("File " + config + " exists. Remove it first");
		}
		try {
			Files.writeString(config, Json.writeIndented(DefaultSpec.create(), "\t") + "\n");
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot write " + config + ": " + ex.getMessage());
		}
		return 0;
	}

	private static boolean wantsTerminal(Path bundle) {
		try {
			RuntimeSpec spec = RuntimeSpec.parse(Files.readString(bundle.resolve("config.json")));
			return spec.process() != null && spec.process().terminal();
		}
		catch (IOException | RuntimeException ex) {
			return false; // create reports the problem with the right words
		}
	}

	/**
	 * In the foreground, as runc does: the signals a user sends us go to the container's process,
	 * and a resized terminal resizes the container's. Returns what puts our own handling back.
	 */
	private static Runnable forwardSignals(int pid, ConsoleLink console) {
		java.util.Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new java.util.LinkedHashMap<>();
		for (String name : List.of("TERM", "INT", "HUP", "USR1", "USR2", "CONT", "WINCH")) {
			sun.misc.Signal signal = new sun.misc.Signal(name);
			sun.misc.SignalHandler forward = name.equals("WINCH") ? (s) -> console.resizeToOurs() : (s) -> {
				try {
					Kernel.kill(pid, s.getNumber());
				}
				catch (RuntimeException ex) {
					// the process has ended meanwhile
				}
			};
			try {
				previous.put(signal, sun.misc.Signal.handle(signal, forward));
			}
			catch (IllegalArgumentException ex) {
				// a signal this JVM keeps for itself
			}
		}
		return () -> previous.forEach(sun.misc.Signal::handle);
	}

	/** Waits for our child to exit and returns its exit code the shell's way. */
	private static int waitFor(int pid) {
		int[] reaped = Kernel.waitpid(pid, 0);
		return Kernel.exitCode(reaped[1]);
	}

	private static void writePidFile(String file, int pid) {
		if (file == null) {
			return;
		}
		Path path = Path.of(file).toAbsolutePath();
		try {
			Path temp = path.resolveSibling(path.getFileName() + ".tmp");
			Files.writeString(temp, Integer.toString(pid));
			Files.move(temp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
					java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot write pid file " + path + ": " + ex.getMessage());
		}
	}

	private static ContainerRuntime runtime(Path root) {
		return new ContainerRuntime(root, new InitLauncher(InitLauncher.currentClasspath(), root.resolve(".lib")));
	}

	private static Args parse(List<String> rest, Set<String> valued) {
		return Args.parse(rest, valued,
				Map.of("b", "bundle", "d", "detach", "f", "force", "a", "all", "q", "quiet"), false);
	}

	private static String id(Args args) {
		if (args.positional().isEmpty()) {
			throw new Args.UsageException("a container id is required");
		}
		return args.positional().get(0);
	}

	/** With --debug: how long since this JVM's main began, per step, on stderr. */
	private void trace(String step) {
		if (this.debug) {
			this.err.printf("berth-runc: %-16s %7.1f ms%n", step, (System.nanoTime() - this.startNanos) / 1e6);
		}
	}

	private int fail(String message) {
		this.err.println("berth-runc: " + message);
		if (this.logFile != null) {
			String line = this.jsonLog
					? Json.write(Json.obj("level", "error", "msg", message, "time", Instant.now().toString()))
					: "time=\"" + Instant.now() + "\" level=error msg=\"" + message.replace("\"", "\\\"") + "\"";
			try {
				Files.writeString(Path.of(this.logFile), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
						StandardOpenOption.APPEND);
			}
			catch (IOException ex) {
				this.err.println("berth-runc: cannot write log " + this.logFile + ": " + ex.getMessage());
			}
		}
		return 1;
	}

	/**
	 * The console side of a terminal process: a user's {@code --console-socket}, or, in the
	 * foreground, a socket pair of our own whose pty master we then copy to and from our stdio.
	 */
	private static final class ConsoleLink {

		private int initEnd = -1;

		private int ourEnd = -1;

		private int master = -1;

		static ConsoleLink open(String path, boolean ownTerminal) {
			ConsoleLink link = new ConsoleLink();
			if (path != null) {
				link.initEnd = UnixSockets.connect(path);
			}
			else if (ownTerminal) {
				int[] pair = UnixSockets.pair();
				link.ourEnd = pair[0];
				link.initEnd = pair[1];
			}
			return link;
		}

		int initEnd() {
			return this.initEnd;
		}

		void closeInitEnd() {
			if (this.initEnd >= 0) {
				Kernel.close(this.initEnd);
				this.initEnd = -1;
			}
		}

		void proxy() {
			if (this.ourEnd < 0) {
				return;
			}
			this.master = UnixSockets.receiveDescriptor(this.ourEnd);
			if (this.master < 0) {
				return;
			}
			resizeToOurs();
			copy(0, this.master);
			copy(this.master, 1);
		}

		/** Gives the container's terminal the size of ours, when we have one. */
		void resizeToOurs() {
			if (this.master < 0) {
				return;
			}
			try {
				int[] size = Pty.size(0);
				Pty.setSize(this.master, size[0], size[1]);
			}
			catch (RuntimeException ex) {
				// our stdin is no terminal: keep the size the spec asked for
			}
		}

		private static void copy(int from, int to) {
			Thread.ofPlatform().daemon().start(() -> {
				byte[] buffer = new byte[8192];
				try {
					int n;
					while ((n = Kernel.read(from, buffer)) > 0) {
						Kernel.writeFully(to, java.util.Arrays.copyOf(buffer, n));
					}
				}
				catch (RuntimeException ex) {
					// the terminal closed (EIO once the last process leaves it)
				}
			});
		}

		void close() {
			closeInitEnd();
			if (this.ourEnd >= 0) {
				Kernel.close(this.ourEnd);
			}
		}

	}

}
