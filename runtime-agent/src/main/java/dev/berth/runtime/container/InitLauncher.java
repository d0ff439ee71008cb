package dev.berth.runtime.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import com.sun.jna.Platform;

import dev.berth.runtime.cgroup.CgroupEntry;
import dev.berth.runtime.init.Bootstrap;
import dev.berth.runtime.init.InitMain;
import dev.berth.runtime.init.InitProtocol;
import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.linux.PosixSpawn;
import dev.berth.runtime.linux.UnixSockets;

/**
 * Starts container inits: a small, fast-starting JVM ({@link InitMain}) in the pid namespace the
 * container needs, wired to us through the descriptors of {@link InitProtocol}.
 */
public final class InitLauncher {

	private static final System.Logger log = System.getLogger(InitLauncher.class.getName());

	private final List<String> coldCommand;

	private final List<String> zygoteCommand;

	/**
	 * The nice value the zygote starts with: a JVM starting up and training takes a core for a
	 * second or so, and must not take it from the containers being set up meanwhile.
	 */
	private static final int ZYGOTE_NICE = 19;

	/** How long a forked init may sleep in futex(2) before it counts as stuck (see {@link InitZygote}). */
	private static final int STUCK_CHECKS = 3;

	private static final int STUCK_CHECK_MILLIS = 200;

	/** A zygote that died is started again, but not more often than this. */
	private static final long ZYGOTE_RESTART_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

	/** Whether inits are forked from a zygote (see {@link #forkInits}). */
	private volatile boolean forking;

	/** The trained zygote, or null while none is (yet) serving. */
	private volatile Zygote zygote;

	private long lastZygoteStart = Long.MIN_VALUE / 2;

	/** Inits forked from the zygote so far that became containers. */
	private final java.util.concurrent.atomic.AtomicLong forked = new java.util.concurrent.atomic.AtomicLong();

	/**
	 * @param classpath the init's classpath: our runtime jar and JNA's, nothing more
	 * @param libraryDir a directory for the extracted JNA native library, so no init extracts it again
	 */
	public InitLauncher(String classpath, Path libraryDir) {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Path nativeLibrary = extractJnaLibrary(libraryDir);
		List<String> options = new ArrayList<>(List.of(
				// a container init lives for milliseconds before exec: no GC threads to speak of
				"-XX:+UseSerialGC", "-Xss512k",
				// no hsperfdata file in the host's /tmp, which nobody would remove after exec
				"-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
				"-Djna.boot.library.path=" + nativeLibrary.getParent(), "-Djna.nosys=true",
				"-Djna.nounpack=true",
				// the init binds the C library only, which JNA takes from the process itself: without a
				// search path of its own, JNA runs ldconfig -p to find one, a child process of every init
				"-Djna.platform.library.path="));
		Path aotCache = aotCache(classpath);
		if (aotCache != null) {
			// classes loaded and linked ahead of time (built by scripts/train-aot.sh); a cache that
			// does not match this JVM is ignored, and with logging off nothing reaches the container
			options.add("-XX:AOTCache=" + aotCache);
			options.add("-Xlog:disable");
		}
		options.addAll(List.of("-cp", classpath, InitMain.class.getName()));
		// interpreted, both: a cold init runs its set-up once, then exec's, so compiling any of it is
		// waste (measured: 80-100 ms of CPU per container in a burst of 30); and a copy of a zygote that
		// asked for a compilation while the compiler held the queue's lock at the clone would wait for
		// ever (seen: 1 copy in about 100 with C1), so the zygote has no compiler
		this.coldCommand = join(List.of(java, "-Xint", "-Xmx64m"), options, List.of());
		this.zygoteCommand = join(List.of(java, "-Xint",
				// a fixed heap, so the young generation's free room is known before each fork
				"-Xms48m", "-Xmx48m", "-Xmn40m",
				// no safepoint of the VM's own accord: one begun as a copy is made would stop the copy for ever
				"-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0"), options,
				List.of(InitProtocol.ZYGOTE));
	}

	/** {@code init.aot} beside the first classpath entry (the runtime jar), when there is one. */
	private static Path aotCache(String classpath) {
		Path first = Path.of(classpath.split(java.io.File.pathSeparator)[0]).toAbsolutePath();
		Path cache = first.resolveSibling("init.aot");
		return Files.isRegularFile(cache) ? cache : null;
	}

	/** The classpath of this JVM, when it was started from the runtime jar and JNA's. */
	public static String currentClasspath() {
		return System.getProperty("java.class.path");
	}


	/**
	 * Starts an init in the container's cgroup, which {@code cgroup} has prepared: forked from the
	 * zygote when one serves (born in it, see {@link CgroupEntry}), else spawned and moved in by
	 * pid with {@code moveSpawned}. Gives it the given stdio and optional exec FIFO and console
	 * socket, sends the bootstrap and waits for the init to report. Returns the pid; on a setup
	 * error the init is gone and the error says why.
	 */
	public int launch(Bootstrap bootstrap, PidNamespace pidNamespace, int[] stdio, String execFifo, int consoleSocket,
			CgroupEntry cgroup, IntConsumer moveSpawned) {
		Zygote current = this.zygote;
		Spawned forked = (current != null) ? current.fork(pidNamespace, cgroup) : null;
		if (forked != null) {
			Integer pid = bootstrap(forked, null, bootstrap, stdio, execFifo, consoleSocket);
			if (pid != null) {
				this.forked.incrementAndGet();
				return pid;
			}
			log.log(System.Logger.Level.WARNING, "a forked container init ({0}) was stuck on a lock held as it was "
					+ "forked; it was killed and the container gets a fresh init instead", forked.pid());
		}
		return bootstrap(spawn(pidNamespace, this.coldCommand, 0), moveSpawned, bootstrap, stdio, execFifo,
				consoleSocket);
	}

	/**
	 * Gives {@code init} its container; its pid, or null when a forked init was stuck (and is killed).
	 * @param moveSpawned moves a spawned init into the container's cgroup; null for a forked one,
	 * born there
	 */
	private static Integer bootstrap(Spawned init, IntConsumer moveSpawned, Bootstrap bootstrap, int[] stdio,
			String execFifo, int consoleSocket) {
		boolean forked = moveSpawned == null;
		int devNull = Kernel.open("/dev/null", Kernel.O_RDWR | Kernel.O_CLOEXEC, 0);
		int fifo = (execFifo != null) ? Kernel.open(execFifo, Kernel.O_PATH | Kernel.O_CLOEXEC, 0) : devNull;
		String report;
		try {
			if (!forked) {
				moveSpawned.accept(init.pid());
			}
			byte[] json = bootstrap.toJson().getBytes(StandardCharsets.UTF_8);
			byte[] length = java.nio.ByteBuffer.allocate(4).putInt(json.length).array();
			UnixSockets.sendDescriptors(init.control(),
					new int[] { stdio[0], stdio[1], stdio[2], fifo, (consoleSocket >= 0) ? consoleSocket : devNull }, length);
			Kernel.writeFully(init.control(), json);
			if (forked && stuck(init.pid(), init.control())) {
				kill(init.pid());
				return null;
			}
			report = readLine(init.control());
		}
		catch (RuntimeException ex) {
			kill(init.pid());
			throw ex;
		}
		finally {
			Kernel.close(init.control());
			if (fifo != devNull) {
				Kernel.close(fifo);
			}
			Kernel.close(devNull);
		}
		if (report.startsWith(InitProtocol.ERROR_PREFIX)) {
			kill(init.pid());
			throw new ContainerException(report.substring(InitProtocol.ERROR_PREFIX.length()));
		}
		if (!report.equals(InitProtocol.READY)) {
			kill(init.pid());
			throw new ContainerException("container init exited during setup" + (report.isEmpty() ? "" : ": " + report));
		}
		return init.pid();
	}

	/**
	 * Waits for a forked init to report on {@code control}; true when it sleeps in futex(2)
	 * meanwhile, check after check. A copy of the zygote has one thread, so such a wait is for a
	 * lock held by a thread it does not have (see {@link InitZygote}): it would never end.
	 */
	static boolean stuck(int pid, int control) {
		int asleep = 0;
		while (!Kernel.awaitReadable(control, STUCK_CHECK_MILLIS)) {
			asleep = Kernel.waitsOnFutex(pid) ? asleep + 1 : 0;
			if (asleep == STUCK_CHECKS) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Forks every init, new containers' and execs', from a trained zygote ({@link InitZygote}), or
	 * stops doing so and ends it. Until the zygote has trained (a second or two of CPU, at low
	 * priority), and whenever it is gone, inits start as JVMs of their own.
	 */
	public void forkInits(boolean on) {
		this.forking = on;
		Zygote old = this.zygote;
		this.zygote = null;
		if (old != null) {
			old.end();
		}
		if (on) {
			startZygote();
		}
	}

	/** How many inits forked from a zygote have become containers. */
	public long forkedInits() {
		return this.forked.get();
	}

	/** Whether a trained zygote serves now. */
	public boolean forksInits() {
		return this.zygote != null;
	}

	/** Starts a zygote in the background; it serves once it says it has trained. */
	private synchronized void startZygote() {
		long now = System.nanoTime();
		if (!this.forking || now - this.lastZygoteStart < ZYGOTE_RESTART_NANOS) {
			return;
		}
		this.lastZygoteStart = now;
		// a platform thread: it waits in a native read for the training, which would pin a carrier
		Thread.ofPlatform().daemon().name("berth-zygote").start(() -> {
			Spawned process;
			try {
				process = spawn(PidNamespace.HOST, this.zygoteCommand, ZYGOTE_NICE);
			}
			catch (RuntimeException ex) {
				log.log(System.Logger.Level.WARNING, "cannot start the init zygote; inits start as JVMs of their own", ex);
				return;
			}
			Zygote started = new Zygote(process);
			if (!readLine(process.control()).equals(InitProtocol.WARMED)) {
				log.log(System.Logger.Level.WARNING, "the init zygote ended while training; inits start as JVMs of their own");
				started.end();
				return;
			}
			synchronized (this) {
				if (this.forking && this.zygote == null) {
					this.zygote = started;
					return;
				}
			}
			started.end();
		});
	}

	/** One line from the init, or what it said before closing (an empty string if nothing). */
	private static String readLine(int fd) {
		java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
		byte[] one = new byte[1];
		try {
			while (line.size() < 64 * 1024 && Kernel.read(fd, one) == 1 && one[0] != '\n') {
				line.write(one[0]);
			}
		}
		catch (RuntimeException ex) {
			// the init died with data unread (ECONNRESET): what it said so far is all there is
		}
		return line.toString(StandardCharsets.UTF_8).trim();
	}

	/**
	 * posix_spawn from a throwaway platform thread that first enters the pid namespace the child
	 * must be born in: unshare(CLONE_NEWPID) or setns affect only this thread's future children, and
	 * leave it unable to start threads, so it ends right after. The child's only descriptor of
	 * note is its end of a socket pair, at {@link InitProtocol#CONTROL_FD}.
	 */
	private static Spawned spawn(PidNamespace pidNamespace, List<String> command, int nice) {
		int[] pair = UnixSockets.pair();
		int devNull = Kernel.open("/dev/null", Kernel.O_RDWR | Kernel.O_CLOEXEC, 0);
		int[] childFds = { devNull, devNull, devNull, pair[1] };
		int[] pid = new int[1];
		RuntimeException[] failure = new RuntimeException[1];
		Thread spawner = Thread.ofPlatform().name("berth-spawn").unstarted(() -> {
			try {
				if (pidNamespace.path() != null) {
					JnaLinuxSyscalls.INSTANCE.setns(pidNamespace.path(), LinuxSyscalls.CLONE_NEWPID);
				}
				else if (pidNamespace.fresh()) {
					JnaLinuxSyscalls.INSTANCE.unshare(LinuxSyscalls.CLONE_NEWPID);
				}
				if (nice != 0) {
					Kernel.setThreadNice(0, nice);
				}
				pid[0] = PosixSpawn.spawn(command.get(0), command, List.of("LANG=C.UTF-8"), childFds, true);
			}
			catch (RuntimeException ex) {
				failure[0] = ex;
			}
		});
		spawner.start();
		try {
			spawner.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			failure[0] = new ContainerException("interrupted while starting the container init");
		}
		finally {
			Kernel.close(pair[1]);
			Kernel.close(devNull);
		}
		if (failure[0] != null) {
			Kernel.close(pair[0]);
			throw failure[0];
		}
		return new Spawned(pid[0], pair[0]);
	}

	private static List<String> join(List<String> head, List<String> middle, List<String> tail) {
		List<String> joined = new ArrayList<>(head);
		joined.addAll(middle);
		joined.addAll(tail);
		return List.copyOf(joined);
	}

	/**
	 * A request to the zygote, as {@link InitProtocol} words it: where the copy is born, and the v1
	 * cgroups it joins; null when it would be longer than the zygote reads at once.
	 */
	static byte[] forkRequest(PidNamespace pidNamespace, CgroupEntry cgroup) {
		StringBuilder request = new StringBuilder();
		if (pidNamespace.fresh()) {
			request.append((char) InitProtocol.FORK_NEW_PID_NAMESPACE);
		}
		else if (pidNamespace.path() == null) {
			request.append((char) InitProtocol.FORK_HOST_PID_NAMESPACE);
		}
		else {
			request.append((char) InitProtocol.FORK_JOIN_PID_NAMESPACE).append(pidNamespace.path());
		}
		for (Path tasks : cgroup.selfJoinTasks()) {
			request.append('\0').append(tasks);
		}
		byte[] bytes = request.toString().getBytes(StandardCharsets.UTF_8);
		return (bytes.length <= InitProtocol.MAX_FORK_REQUEST_BYTES) ? bytes : null;
	}

	/** An init process and our end of its control socket. */
	private record Spawned(int pid, int control) {
	}

	/** The zygote process, and our end of its control socket, which requests go through one at a time. */
	private final class Zygote {

		private final Spawned process;

		private boolean ended;

		Zygote(Spawned process) {
			this.process = process;
		}

		/** A forked init, or null when the zygote failed (it is then replaced in the background). */
		synchronized Spawned fork(PidNamespace pidNamespace, CgroupEntry cgroup) {
			if (this.ended) {
				return null;
			}
			byte[] request = forkRequest(pidNamespace, cgroup);
			if (request == null) {
				log.log(System.Logger.Level.WARNING, "cgroup paths too long to fork an init for; it starts as a JVM of its own");
				return null;
			}
			int[] pair = UnixSockets.pair();
			int cgroupDir = (cgroup.bornIn() != null)
					? Kernel.open(cgroup.bornIn().toString(), Kernel.O_RDONLY | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0) : -1;
			String reply = "";
			try {
				int[] fds = (cgroupDir >= 0) ? new int[] { pair[1], cgroupDir } : new int[] { pair[1] };
				UnixSockets.sendDescriptors(this.process.control(), fds, request);
				reply = readLine(this.process.control());
				if (!reply.isEmpty() && reply.chars().allMatch(Character::isDigit)) {
					return new Spawned(Integer.parseInt(reply), pair[0]);
				}
			}
			catch (RuntimeException ex) {
				// the zygote is gone (EPIPE): as if it had said nothing
			}
			finally {
				Kernel.close(pair[1]);
				if (cgroupDir >= 0) {
					Kernel.close(cgroupDir);
				}
			}
			Kernel.close(pair[0]);
			if (reply.startsWith(InitProtocol.ERROR_PREFIX)) {
				log.log(System.Logger.Level.WARNING, "the init zygote could not fork: {0}",
						reply.substring(InitProtocol.ERROR_PREFIX.length()));
				return null;
			}
			log.log(System.Logger.Level.WARNING, "the init zygote ended; inits start as JVMs of their own until a new one has trained");
			retire();
			return null;
		}

		private void retire() {
			synchronized (InitLauncher.this) {
				if (InitLauncher.this.zygote == this) {
					InitLauncher.this.zygote = null;
				}
			}
			end();
			startZygote();
		}

		/** Closing its socket ends a zygote that waits for a request; the kill covers one still training. */
		synchronized void end() {
			if (this.ended) {
				return;
			}
			this.ended = true;
			Kernel.close(this.process.control());
			InitLauncher.kill(this.process.pid());
		}

	}

	private static void kill(int pid) {
		try {
			Kernel.kill(pid, Kernel.SIGKILL);
		}
		catch (RuntimeException ex) {
			// already gone
		}
	}

	/** Copies JNA's native library out of its jar once, so inits load it without unpacking. */
	static Path extractJnaLibrary(Path libraryDir) {
		String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/libjnidispatch.so";
		Path target = libraryDir.resolve("jna").resolve("libjnidispatch.so");
		if (Files.isRegularFile(target)) {
			return target;
		}
		try (InputStream in = com.sun.jna.Native.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("JNA has no native library for " + Platform.RESOURCE_PREFIX);
			}
			Files.createDirectories(target.getParent());
			Path temp = Files.createTempFile(target.getParent(), "libjnidispatch", ".tmp");
			Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
			Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot extract JNA's native library to " + target, ex);
		}
	}

	/** Where the init is born: a fresh pid namespace, an existing one (exec), or the caller's. */
	public record PidNamespace(boolean fresh, String path) {

		public static final PidNamespace FRESH = new PidNamespace(true, null);

		public static final PidNamespace HOST = new PidNamespace(false, null);

		public static PidNamespace join(String path) {
			return new PidNamespace(false, path);
		}

	}

}
