package dev.berth.gateway.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bin/berthd} started as a user starts it, on private ports, sockets and directories, and the
 * stock docker CLI pointed at it. {@link #close} removes the containers, stops berthd and its node
 * shim (which a real berthd leaves running on purpose) and deletes what they left.
 */
public final class BerthdProcess implements AutoCloseable {

	private final Path directory;

	private final List<String> arguments;

	private final Map<String, String> cliEnvironment;

	private Process process;

	private int starts;

	private BerthdProcess(Path directory, List<String> arguments) {
		this.directory = directory;
		this.arguments = arguments;
		this.cliEnvironment = Map.of("DOCKER_HOST", "unix://" + socket(), "DOCKER_CONFIG",
				directory.resolve("cli").toString());
	}

	/** Starts berthd with the given extra flags (a registry mirror, say) and waits until the CLI reaches it. */
	public static BerthdProcess start(String... flags) throws IOException, InterruptedException {
		Path directory = Files.createTempDirectory("berth-e2e-");
		List<String> arguments = new ArrayList<>(List.of(
				Commands.repositoryRoot().resolve("bin/berthd").toString(), "--data-root",
				directory.resolve("data").toString(), "--exec-root", directory.resolve("exec").toString(), "-H",
				"unix://" + directory.resolve("docker.sock"), "--agent-port", Integer.toString(freePort()),
				"--engine-port", Integer.toString(freePort()), "--lifecycle-port", Integer.toString(freePort()),
				"--management-port", Integer.toString(freePort())));
		arguments.addAll(List.of(flags));
		BerthdProcess berthd = new BerthdProcess(directory, arguments);
		try {
			berthd.restart();
			return berthd;
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			berthd.close();
			throw ex;
		}
	}

	/** Starts berthd (again, after {@link #stop}), on the same directories. */
	public void restart() throws IOException, InterruptedException {
		Path log = this.directory.resolve("berthd-" + (++this.starts) + ".log");
		this.process = new ProcessBuilder(this.arguments).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		// berthd starts in well under a minute on a quiet machine; minutes on a loaded one
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(480);
		while (true) {
			// the gateway answers first; ps needs lifecycle-service, images engine-service
			if (Files.exists(socket()) && docker("ps").exitCode() == 0 && docker("images").exitCode() == 0) {
				return;
			}
			if (!this.process.isAlive() || System.nanoTime() > deadline) {
				throw new IllegalStateException("berthd did not come up:\n" + Files.readString(log));
			}
			Thread.sleep(250);
		}
	}

	/**
	 * SIGTERM, as Ctrl-C: the services stop, the node shim and the containers go on. The first
	 * berthd after a build also writes the JVM's AOT cache as it stops, which takes seconds.
	 */
	public int stop() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(180, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor();
		}
		return this.process.exitValue();
	}

	public Path socket() {
		return this.directory.resolve("docker.sock");
	}

	/** lifecycle-service's gRPC address, for a test that reaches past the Docker API. */
	public String lifecycleAddress() {
		return "127.0.0.1:" + this.arguments.get(this.arguments.lastIndexOf("--lifecycle-port") + 1);
	}

	/** berthd's {@code --data-root}: images, layers and container records. */
	public Path dataRoot() {
		return this.directory.resolve("data");
	}

	/** Runs the stock docker CLI against this berthd. */
	public Commands.Result docker(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add("docker");
		command.addAll(List.of(arguments));
		return Commands.run(command, this.cliEnvironment);
	}

	/** Runs the docker CLI in a pseudo-terminal (as a user's shell would), through script(1). */
	public Commands.Result dockerInTerminal(String commandLine) {
		return dockerInTerminal(commandLine, null);
	}

	/** The same, with keys typed into the terminal as it runs (its input stays open until the CLI ends). */
	public Commands.Result dockerInTerminal(String commandLine, Commands.Typist typist) {
		return Commands.interactive(List.of("script", "--quiet", "--return", "--command", "docker " + commandLine,
				"/dev/null"), this.cliEnvironment, typist);
	}

	/** Runs a shell command line with the CLI's environment (DOCKER_HOST pointing here): for pipes into the CLI. */
	public Commands.Result shell(String commandLine) {
		return Commands.run(List.of("sh", "-c", commandLine), this.cliEnvironment);
	}

	/** DOCKER_HOST and DOCKER_CONFIG for this berthd: for other clients (docker-py reads DOCKER_HOST). */
	public Map<String, String> clientEnvironment() {
		return this.cliEnvironment;
	}

	public String log() throws IOException {
		StringBuilder all = new StringBuilder();
		for (int i = 1; i <= this.starts; i++) {
			all.append(Files.readString(this.directory.resolve("berthd-" + i + ".log")));
		}
		return all.toString();
	}

	@Override
	public void close() throws InterruptedException {
		try {
			if (this.process != null && this.process.isAlive()) {
				String ids = docker("ps", "-aq").stdout().strip();
				if (!ids.isEmpty()) {
					List<String> remove = new ArrayList<>(List.of("rm", "-f"));
					remove.addAll(List.of(ids.split("\\s+")));
					docker(remove.toArray(String[]::new));
				}
				stop();
			}
			stopShim();
		}
		finally {
			// a berthd that could not come up again removed nothing: its containers' mounts and cgroups go here
			Commands.unmountUnder(this.directory);
			removeContainerCgroups();
			removeEmptyCgroupParents();
			Commands.deleteRecursively(this.directory);
		}
	}

	/**
	 * The containers' parent cgroup ({@code berth} under each controller) outlives them, as dockerd's
	 * {@code docker} does; a test leaves none behind. rmdir only removes an empty cgroup, so one that
	 * another engine's containers still use stays.
	 */
	private static void removeEmptyCgroupParents() {
		try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
			controllers.map((controller) -> controller.resolve("berth")).filter(Files::isDirectory).forEach((parent) -> {
				try {
					Files.delete(parent);
				}
				catch (IOException ex) {
					// in use, or not empty: not ours to remove
				}
			});
		}
		catch (IOException ex) {
			// no cgroup file system: nothing was made
		}
	}

	private void stopShim() throws InterruptedException {
		Path pidFile = this.directory.resolve("exec/shim/shim.pid");
		try {
			if (Files.exists(pidFile)) {
				long pid = Long.parseLong(Files.readString(pidFile).strip());
				ProcessHandle.of(pid).ifPresent((shim) -> {
					shim.descendants().forEach(ProcessHandle::destroyForcibly);
					shim.destroyForcibly();
					shim.onExit().join();
				});
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The cgroups the node made for this berthd's containers (one per bundle), in every hierarchy, once empty. */
	private void removeContainerCgroups() {
		Path bundles = this.directory.resolve("exec/bundles");
		if (!Files.isDirectory(bundles)) {
			return;
		}
		try (Stream<Path> ids = Files.list(bundles); Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
			List<Path> roots = hierarchies.map((hierarchy) -> hierarchy.resolve("berth")).filter(Files::isDirectory).toList();
			for (Path id : ids.toList()) {
				for (Path root : roots) {
					// rmdir is how a cgroup is removed: it fails while a process is in it, and then stays
					Files.deleteIfExists(root.resolve(id.getFileName()));
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot remove the cgroups of " + bundles, ex);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
