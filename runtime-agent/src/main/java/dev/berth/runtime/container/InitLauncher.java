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

import com.sun.jna.Platform;

import dev.berth.runtime.init.Bootstrap;
import dev.berth.runtime.init.InitMain;
import dev.berth.runtime.init.InitProtocol;
import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.linux.PosixSpawn;
import dev.berth.runtime.linux.SyscallException;
import dev.berth.runtime.linux.UnixSockets;

/**
 * Starts container inits: a small, fast-starting JVM ({@link InitMain}) in the pid namespace the
 * container needs, wired to us through the descriptors of {@link InitProtocol}.
 */
public final class InitLauncher {

	private final List<String> coldCommand;

	private final List<String> warmCommand;

	/**
	 * The nice value warm inits start with: a JVM starting up takes a core for a few hundred
	 * milliseconds, and must not take it from the container being set up meanwhile.
	 */
	private static final int WARM_NICE = 19;

	private volatile WarmPool pool;

	/**
	 * @param classpath the init's classpath: our runtime jar and JNA's, nothing more
	 * @param libraryDir a directory for the extracted JNA native library, so no init extracts it again
	 */
	public InitLauncher(String classpath, Path libraryDir) {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Path nativeLibrary = extractJnaLibrary(libraryDir);
		List<String> options = new ArrayList<>(List.of(
				// a container init lives for milliseconds before exec: no GC threads to speak of
				"-XX:+UseSerialGC", "-Xmx64m", "-Xss512k",
				// a warm init waits for its container with this footprint: start the heap and code cache small
				"-Xms4m", "-XX:ReservedCodeCacheSize=8m",
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
		// a cold init runs its set-up once, then exec's: interpreting it costs less CPU than compiling
		// any of it (measured: 80-100 ms less per container in a burst of 30)
		this.coldCommand = join(List.of(java, "-Xint"), options, List.of());
		// a warm init trains at leisure: C1 compiles what the set-up will run while it waits
		this.warmCommand = join(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1"), options,
				List.of(InitProtocol.WARM));
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
	 * Starts an init (a warm one from the pool when the container wants a fresh pid namespace)
	 * with the given stdio and optional exec FIFO and console socket; runs {@code beforeBootstrap}
	 * with its pid (the caller moves it into the container's cgroup there), sends the bootstrap
	 * and waits for the init to report. Returns the pid; on a setup error the init is gone and the
	 * error says why.
	 */
	public int launch(Bootstrap bootstrap, PidNamespace pidNamespace, int[] stdio, String execFifo, int consoleSocket,
			java.util.function.IntConsumer beforeBootstrap) {
		Spawned init = (pidNamespace.fresh() && this.pool != null) ? this.pool.take() : null;
		if (init == null) {
			init = spawn(pidNamespace, false);
		}
		int devNull = Kernel.open("/dev/null", Kernel.O_RDWR | Kernel.O_CLOEXEC, 0);
		int fifo = (execFifo != null) ? Kernel.open(execFifo, Kernel.O_PATH | Kernel.O_CLOEXEC, 0) : devNull;
		String report;
		try {
			beforeBootstrap.accept(init.pid());
			byte[] json = bootstrap.toJson().getBytes(StandardCharsets.UTF_8);
			byte[] length = java.nio.ByteBuffer.allocate(4).putInt(json.length).array();
			UnixSockets.sendDescriptors(init.control(),
					new int[] { stdio[0], stdio[1], stdio[2], fifo, (consoleSocket >= 0) ? consoleSocket : devNull }, length);
			Kernel.writeFully(init.control(), json);
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

	/** Keeps {@code size} inits started ahead of need; 0 turns the pool off and ends its inits. */
	public void keepWarm(int size) {
		WarmPool old = this.pool;
		WarmPool next = (size > 0) ? new WarmPool(size) : null;
		this.pool = next;
		if (old != null) {
			old.drain();
		}
		if (next != null) {
			next.fill(size); // after it is the pool: a refill for a replaced pool is dropped
		}
	}

	/** How many trained inits wait for a container now. */
	public int warmInits() {
		WarmPool current = this.pool;
		return (current != null) ? current.ready.size() : 0;
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
	private Spawned spawn(PidNamespace pidNamespace, boolean warm) {
		int[] pair = UnixSockets.pair();
		int devNull = Kernel.open("/dev/null", Kernel.O_RDWR | Kernel.O_CLOEXEC, 0);
		int[] childFds = { devNull, devNull, devNull, pair[1] };
		List<String> command = warm ? this.warmCommand : this.coldCommand;
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
				if (warm) {
					Kernel.setThreadNice(0, WARM_NICE);
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

	/** An init process and our end of its control socket. */
	private record Spawned(int pid, int control) {
	}

	/**
	 * Inits started ahead of need, each already PID 1 of a fresh pid namespace, its JVM up and its
	 * classes trained: taking one skips the JVM's start-up. A replacement starts right away.
	 */
	private final class WarmPool {

		private final java.util.concurrent.BlockingQueue<Spawned> ready;

		WarmPool(int size) {
			this.ready = new java.util.concurrent.ArrayBlockingQueue<>(size);
		}

		void fill(int count) {
			for (int i = 0; i < count; i++) {
				refill();
			}
		}

		/** A warm init, or null when none is ready (the caller then starts a cold one). */
		Spawned take() {
			Spawned init;
			while ((init = this.ready.poll()) != null) {
				refill();
				if (Kernel.exists(init.pid()) && renice(init.pid())) {
					return init;
				}
				Kernel.close(init.control());
			}
			return null;
		}

		void drain() {
			Spawned init;
			while ((init = this.ready.poll()) != null) {
				// closing its socket ends a waiting init; the kill covers one still starting
				Kernel.close(init.control());
				InitLauncher.kill(init.pid());
			}
		}

		private void refill() {
			if (InitLauncher.this.pool != this) {
				return;
			}
			// a platform thread: it waits in a native read for the init's training, which would pin a carrier
			Thread.ofPlatform().daemon().name("berth-warm-init").start(() -> {
				try {
					Spawned init = spawn(PidNamespace.FRESH, true);
					// only a trained init beats a fresh one: taken while still training, it would cost more
					if (!readLine(init.control()).equals(InitProtocol.WARMED) || InitLauncher.this.pool != this
							|| !this.ready.offer(init)) {
						InitLauncher.kill(init.pid());
						Kernel.close(init.control());
					}
				}
				catch (RuntimeException ex) {
					// the next take starts a cold init instead
				}
			});
		}

	}

	/**
	 * Gives a warm init taken for a container the shim's own priority, thread by thread (a nice
	 * value is a thread's); false when it is gone.
	 */
	private static boolean renice(int pid) {
		try (var tasks = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
			for (Path task : tasks) {
				try {
					Kernel.setThreadNice(Integer.parseInt(task.getFileName().toString()), 0);
				}
				catch (SyscallException ex) {
					// a thread that ended meanwhile
				}
			}
			return true;
		}
		catch (IOException ex) {
			return false;
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
