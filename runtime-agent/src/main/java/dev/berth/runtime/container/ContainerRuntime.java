package dev.berth.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.berth.runtime.cgroup.CgroupEntry;
import dev.berth.runtime.cgroup.CgroupException;
import dev.berth.runtime.cgroup.CgroupManager;
import dev.berth.runtime.init.Bootstrap;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.seccomp.SeccompProgram;
import dev.berth.runtime.seccomp.SeccompPrograms;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;

/**
 * runc's role: OCI bundles in, containers out. Each operation acts on the state directory
 * {@code <root>/<id>} and the container's init; nothing here stays running between commands, so
 * the CLI and the shim share it.
 */
public final class ContainerRuntime implements AutoCloseable {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}");

	private static final String EXEC_FIFO = "exec.fifo";

	private static final String SPEC_COPY = "config.json";

	/** Measured: 16 MiB is enough for the init's set-up, 8 MiB is not. */
	static final int MIN_MEMORY_MIB = 16;

	private final Path root;

	private final InitLauncher launcher;

	/** Docker's default profile, which nearly every container has, is compiled once per runtime. */
	private final SeccompPrograms seccompPrograms = new SeccompPrograms();

	public ContainerRuntime(Path root, InitLauncher launcher) {
		this.root = root;
		this.launcher = launcher;
	}

	public Path root() {
		return this.root;
	}

	/** Ends the init zygote of this runtime, if any (containers are not touched). */
	@Override
	public void close() {
		this.launcher.forkInits(false);
	}

	/**
	 * Creates a container from a bundle: the init sets everything up and waits for {@link #start}.
	 * On any failure nothing is left behind: no state directory, no cgroup, no process.
	 */
	public ContainerState create(String id, Path bundle, Stdio stdio) {
		checkId(id);
		Path bundleDir = bundle.toAbsolutePath().normalize();
		String specJson = readSpec(bundleDir);
		JsonObject specDocument = JsonObject.parse(specJson);
		RuntimeSpec spec = SpecValidation.validate(specDocument, this.seccompPrograms);
		Path rootfs = bundleDir.resolve(spec.root().path()).normalize();
		if (!Files.isDirectory(rootfs)) {
			throw new ContainerException("root.path: rootfs (" + rootfs + ") does not exist");
		}
		Path dir = this.root.resolve(id);
		try {
			Files.createDirectories(this.root);
			// root's alone: it holds the exec FIFO, which the init must be able to write as any user
			Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		catch (FileAlreadyExistsException ex) {
			throw new ContainerExistsException(id);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		String cgroupsPath = spec.linux().cgroupsPath().isEmpty() ? "/berth/" + id : spec.linux().cgroupsPath();
		CgroupManager cgroup = CgroupManager.create(cgroupsPath);
		try {
			Files.writeString(dir.resolve(SPEC_COPY), specJson);
			Path fifo = dir.resolve(EXEC_FIFO);
			Kernel.mkfifo(fifo.toString(), 0622);
			// writable by others, as runc's, whatever our umask: the init opens it after taking the
			// container's user, maybe with no capability left to override a root-only mode; only its
			// O_PATH descriptor reaches it, the state directory being root's alone
			Files.setPosixFilePermissions(fifo, PosixFilePermissions.fromString("rw--w--w-"));
			RuntimeSpec.Namespace pidNs = spec.linux().namespace("pid");
			InitLauncher.PidNamespace pidNamespace = (pidNs == null) ? InitLauncher.PidNamespace.HOST
					: pidNs.path().isEmpty() ? InitLauncher.PidNamespace.FRESH
							: InitLauncher.PidNamespace.join(pidNs.path());
			RuntimeSpec.Resources resources = DeviceAccess.withStandardDevices(
					(spec.linux().resources() != null) ? spec.linux().resources() : RuntimeSpec.Resources.NONE,
					spec.linux().devices());
			Bootstrap bootstrap = Bootstrap.standard(specDocument, rootfs.toString(), stdio.consoleSocket() >= 0,
					seccomp(spec));
			CgroupEntry entry = cgroup.prepare();
			// limits before anyone is in the cgroup: the init's set-up runs under them
			cgroup.set(resources.withoutPidsLimit());
			int pid = this.launcher.launch(bootstrap, pidNamespace, stdio.fds(), fifo.toString(), stdio.consoleSocket(),
					entry, cgroup::apply);
			// the init is a JVM with a dozen threads, each a task for the pids controller: its limit
			// applies once the init is set up and starts no more threads; exec leaves one task
			cgroup.set(resources.pidsLimitOnly());
			ContainerState state = new ContainerState(id, pid, ProcessInfo.startTime(pid), bundleDir.toString(),
					rootfs.toString(), Instant.now().toString(), cgroupsPath, spec.annotations());
			state.save(dir);
			return state;
		}
		catch (RuntimeException | IOException ex) {
			boolean outOfMemory = cgroup.oomKillCount() > 0 || limitBelowUsage(ex);
			cgroup.destroy();
			deleteRecursively(dir);
			if (outOfMemory) {
				// the init is a JVM: a limit below what it touches while setting up kills it
				throw new ContainerException("linux.resources.memory.limit: the container's init was killed for lack of "
						+ "memory while setting the container up; give the container at least " + MIN_MEMORY_MIB + " MiB");
			}
			if (ex instanceof IOException io) {
				throw new UncheckedIOException(io);
			}
			throw (RuntimeException) ex;
		}
	}

	/**
	 * The kernel refuses a memory limit below what the cgroup uses and cannot reclaim ({@code EBUSY}):
	 * on a busy machine the init has touched more by the time its limit is written.
	 */
	private static boolean limitBelowUsage(Exception ex) {
		return ex instanceof CgroupException cgroupError && cgroupError.getFile() != null
				&& cgroupError.getFile().getFileName().toString().startsWith("memory.")
				&& cgroupError.getMessage().endsWith("Device or resource busy");
	}

	/** Lets a created container exec its process. */
	public void start(String id) {
		ContainerState state = load(id);
		Status status = status(state);
		if (status != Status.CREATED) {
			throw new ContainerStateException(switch (status) {
				case STOPPED -> "cannot start a container that has stopped";
				default -> "cannot start an already running container";
			});
		}
		Path fifo = this.root.resolve(id).resolve(EXEC_FIFO);
		int fd = Kernel.open(fifo.toString(), Kernel.O_RDONLY | Kernel.O_NONBLOCK | Kernel.O_CLOEXEC, 0);
		try {
			byte[] buffer = new byte[1];
			while (Kernel.read(fd, buffer) != 1) {
				// nothing yet: the init has not opened its end (0) or not written (-1)
				if (!ProcessInfo.isAlive(state.pid(), state.pidStartTime())) {
					// it may have written, exec'd and ended (sh -c 'exit 3') since the read: the byte stays
					if (Kernel.read(fd, buffer) == 1) {
						break;
					}
					throw new ContainerException("container init exited before start");
				}
				sleepMillis(1);
			}
			// the init's end closes on exec: once we see end-of-file the workload runs
			Kernel.setBlocking(fd);
			while (Kernel.read(fd, buffer) > 0) {
				// the init writes one byte only
			}
		}
		finally {
			Kernel.close(fd);
		}
		try {
			Files.deleteIfExists(fifo);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public Status status(String id) {
		return status(load(id));
	}

	Status status(ContainerState state) {
		if (!ProcessInfo.isAlive(state.pid(), state.pidStartTime())) {
			return Status.STOPPED;
		}
		if (Files.exists(this.root.resolve(state.id()).resolve(EXEC_FIFO))) {
			return Status.CREATED;
		}
		CgroupManager cgroup = CgroupManager.create(state.cgroupsPath());
		return cgroup.isFrozen() ? Status.PAUSED : Status.RUNNING;
	}

	/** The state as {@code runc state} prints it. */
	public Map<String, Object> stateDocument(String id) {
		ContainerState state = load(id);
		Status status = status(state);
		Map<String, Object> doc = new LinkedHashMap<>();
		doc.put("ociVersion", "1.2.0");
		doc.put("id", state.id());
		doc.put("pid", (status == Status.STOPPED) ? 0 : state.pid());
		doc.put("status", status.text());
		doc.put("bundle", state.bundle());
		doc.put("rootfs", state.rootfs());
		doc.put("created", state.created());
		if (!state.annotations().isEmpty()) {
			doc.put("annotations", state.annotations());
		}
		doc.put("owner", "");
		return doc;
	}

	public List<String> list() {
		if (!Files.isDirectory(this.root)) {
			return List.of();
		}
		try (Stream<Path> dirs = Files.list(this.root)) {
			return dirs.filter((d) -> Files.exists(d.resolve(ContainerState.FILE)))
				.map((d) -> d.getFileName().toString())
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public void kill(String id, int signal, boolean all) {
		ContainerState state = load(id);
		Status status = status(state);
		if (status == Status.STOPPED && !all) {
			throw new ContainerStateException("container not running");
		}
		if (all) {
			for (long pid : CgroupManager.create(state.cgroupsPath()).pids()) {
				signal((int) pid, signal);
			}
		}
		else {
			Kernel.kill(state.pid(), signal);
		}
	}

	/** Removes a stopped (or, with {@code force}, any) container, with its cgroup and state. */
	public void delete(String id, boolean force) {
		ContainerState state = load(id);
		Status status = status(state);
		if ((status == Status.RUNNING || status == Status.PAUSED) && !force) {
			throw new ContainerStateException(
					"cannot delete container " + id + " that is not stopped: " + status.text());
		}
		CgroupManager cgroup = CgroupManager.create(state.cgroupsPath());
		if (status != Status.STOPPED) {
			killAll(state, cgroup);
		}
		cgroup.destroy();
		deleteRecursively(this.root.resolve(id));
	}

	/**
	 * Runs an extra process in a running container; returns its pid. The process is our child,
	 * born in the container's pid namespace and cgroup.
	 */
	public int exec(String id, RuntimeSpec.Process process, String processJson, Stdio stdio) {
		ContainerState state = load(id);
		if (status(state) != Status.RUNNING) {
			throw new ContainerStateException("cannot exec in a container that is not running");
		}
		if (process.terminal() && stdio.consoleSocket() < 0) {
			throw new ContainerException("process.terminal: true needs a console socket");
		}
		JsonObject spec = JsonObject.parse(readFile(this.root.resolve(id).resolve(SPEC_COPY)));
		CgroupManager cgroup = CgroupManager.create(state.cgroupsPath());
		SeccompProgram seccomp = seccomp(RuntimeSpec.read(spec));
		return this.launcher.launch(
				Bootstrap.setns(spec, JsonObject.parse(processJson), state.pid(), stdio.consoleSocket() >= 0, seccomp),
				InitLauncher.PidNamespace.join("/proc/" + state.pid() + "/ns/pid"), stdio.fds(), null,
				stdio.consoleSocket(), cgroup.prepare(), cgroup::apply);
	}

	public void pause(String id) {
		ContainerState state = load(id);
		if (status(state) != Status.RUNNING) {
			throw new ContainerStateException("container not running");
		}
		CgroupManager.create(state.cgroupsPath()).freeze();
	}

	public void resume(String id) {
		ContainerState state = load(id);
		if (status(state) != Status.PAUSED) {
			throw new ContainerStateException("container not paused");
		}
		CgroupManager.create(state.cgroupsPath()).thaw();
	}

	public List<Long> pids(String id) {
		ContainerState state = load(id);
		return CgroupManager.create(state.cgroupsPath()).pids();
	}

	public CgroupManager cgroup(String id) {
		return CgroupManager.create(load(id).cgroupsPath());
	}

	public ContainerState load(String id) {
		checkId(id);
		ContainerState state = ContainerState.load(this.root.resolve(id));
		if (state == null) {
			throw new ContainerNotFoundException(id);
		}
		return state;
	}

	/** The spec's seccomp profile compiled (a node compiles each profile once), null without one. */
	private SeccompProgram seccomp(RuntimeSpec spec) {
		RuntimeSpec.Seccomp profile = spec.linux().seccomp();
		return (profile != null) ? this.seccompPrograms.compile(profile) : null;
	}

	private void killAll(ContainerState state, CgroupManager cgroup) {
		if (cgroup.isFrozen()) {
			// a frozen task cannot die; thaw after the signals are queued
			for (long pid : cgroup.pids()) {
				signal((int) pid, Kernel.SIGKILL);
			}
			cgroup.thaw();
		}
		signal(state.pid(), Kernel.SIGKILL);
		for (long pid : cgroup.pids()) {
			signal((int) pid, Kernel.SIGKILL);
		}
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (ProcessInfo.isAlive(state.pid(), state.pidStartTime()) || !cgroup.pids().isEmpty()) {
			if (System.nanoTime() > deadline) {
				throw new ContainerException("container " + state.id() + " did not die after SIGKILL");
			}
			sleepMillis(2);
		}
	}

	private static void signal(int pid, int signal) {
		try {
			Kernel.kill(pid, signal);
		}
		catch (RuntimeException ex) {
			// exited meanwhile
		}
	}

	private static String readSpec(Path bundle) {
		Path config = bundle.resolve("config.json");
		if (!Files.isRegularFile(config)) {
			throw new ContainerException("config.json not found in bundle " + bundle);
		}
		return readFile(config);
	}

	private static String readFile(Path file) {
		try {
			if (Files.size(file) > (4 << 20)) {
				throw new ContainerException(file + " is larger than 4 MiB");
			}
			return Files.readString(file);
		}
		catch (NoSuchFileException ex) {
			throw new ContainerException(file + " not found");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void checkId(String id) {
		if (id == null || !ID.matcher(id).matches()) {
			throw new ContainerException("invalid container id: \"" + id + "\"");
		}
	}

	private static void sleepMillis(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ContainerException("interrupted");
		}
	}

	static void deleteRecursively(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
			for (Path path : all) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The container states {@code runc state} reports. */
	public enum Status {

		CREATED, RUNNING, PAUSED, STOPPED;

		public String text() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * The init's stdio: three descriptors of ours it gets as 0, 1, 2, and a connected console
	 * socket (or -1) to receive a pty master when the process wants a terminal.
	 */
	public record Stdio(int[] fds, int consoleSocket) {

		public static Stdio inherit() {
			return new Stdio(new int[] { 0, 1, 2 }, -1);
		}

	}

}
