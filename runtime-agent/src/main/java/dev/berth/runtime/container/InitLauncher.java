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

/**
 * Starts container inits: a small, fast-starting JVM ({@link InitMain}) in the pid namespace the
 * container needs, wired to us through the descriptors of {@link InitProtocol}.
 */
public final class InitLauncher {

	private final List<String> command;

	/**
	 * @param classpath the init's classpath: our runtime jar and JNA's, nothing more
	 * @param libraryDir a directory for the extracted JNA native library, so no init extracts it again
	 */
	public InitLauncher(String classpath, Path libraryDir) {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Path nativeLibrary = extractJnaLibrary(libraryDir);
		List<String> command = new ArrayList<>(List.of(java,
				// a container init lives for milliseconds before exec: no JIT tiers, no GC threads to speak of
				"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m", "-Xss512k",
				// no hsperfdata file in the host's /tmp, which nobody would remove after exec
				"-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
				"-Djna.boot.library.path=" + nativeLibrary.getParent(), "-Djna.nosys=true",
				"-Djna.nounpack=true"));
		Path aotCache = aotCache(classpath);
		if (aotCache != null) {
			// classes loaded and linked ahead of time (built by scripts/train-aot.sh); a cache that
			// does not match this JVM is ignored, and with logging off nothing reaches the container
			command.add("-XX:AOTCache=" + aotCache);
			command.add("-Xlog:disable");
		}
		command.addAll(List.of("-cp", classpath, InitMain.class.getName()));
		this.command = List.copyOf(command);
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

	List<String> command() {
		return this.command;
	}

	/**
	 * Spawns an init with the given stdio and optional exec FIFO and console socket, sends it the
	 * bootstrap once {@code beforeBootstrap} has run (the caller moves the pid into the container's
	 * cgroup there), and waits for it to report. Returns the pid; on a setup error the init is gone
	 * and the error says why.
	 */
	public int launch(Bootstrap bootstrap, PidNamespace pidNamespace, int[] stdio, String execFifo, int consoleSocket,
			java.util.function.IntConsumer beforeBootstrap) {
		int[] bootstrapPipe = Kernel.pipe();
		int[] syncPipe = Kernel.pipe();
		int devNull = Kernel.open("/dev/null", Kernel.O_RDWR | Kernel.O_CLOEXEC, 0);
		int fifo = (execFifo != null) ? Kernel.open(execFifo, Kernel.O_PATH | Kernel.O_CLOEXEC, 0) : devNull;
		int[] childFds = { stdio[0], stdio[1], stdio[2], bootstrapPipe[0], syncPipe[1], fifo,
				(consoleSocket >= 0) ? consoleSocket : devNull };
		int pid;
		try {
			pid = spawnIn(pidNamespace, childFds);
		}
		finally {
			Kernel.close(bootstrapPipe[0]);
			Kernel.close(syncPipe[1]);
			if (fifo != devNull) {
				Kernel.close(fifo);
			}
			Kernel.close(devNull);
		}
		String report;
		try {
			beforeBootstrap.accept(pid);
			Kernel.writeFully(bootstrapPipe[1], bootstrap.toJson().getBytes(StandardCharsets.UTF_8));
			Kernel.close(bootstrapPipe[1]);
			report = Kernel.readToEndUtf8(syncPipe[0], 64 * 1024).trim();
		}
		catch (RuntimeException ex) {
			Kernel.close(bootstrapPipe[1]);
			kill(pid);
			throw ex;
		}
		finally {
			Kernel.close(syncPipe[0]);
		}
		if (report.startsWith(InitProtocol.ERROR_PREFIX)) {
			kill(pid);
			throw new ContainerException(report.substring(InitProtocol.ERROR_PREFIX.length()));
		}
		boolean standard = bootstrap.mode().equals(InitProtocol.MODE_STANDARD);
		if (standard && !report.equals(InitProtocol.READY)) {
			kill(pid);
			throw new ContainerException("container init exited during setup" + (report.isEmpty() ? "" : ": " + report));
		}
		return pid;
	}

	/**
	 * posix_spawn from a throwaway platform thread that first enters the pid namespace the child
	 * must be born in: unshare(CLONE_NEWPID) or setns affect only this thread's future children, and
	 * leave it unable to start threads, so it ends right after.
	 */
	private int spawnIn(PidNamespace pidNamespace, int[] childFds) {
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
				pid[0] = PosixSpawn.spawn(this.command.get(0), this.command, List.of("LANG=C.UTF-8"), childFds, true);
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
			throw new ContainerException("interrupted while starting the container init");
		}
		if (failure[0] != null) {
			throw failure[0];
		}
		return pid[0];
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
