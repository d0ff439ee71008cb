package dev.berth.gateway.testing;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's dockerd (package docker.io), the reference the differential tests compare Berth with: started privately
 * (its own socket, data root, exec root and pid file, an empty config file, no bridge and no iptables rules) with a
 * registry mirror, as berthd is started. {@link #close} stops it (and the containerd it started), unmounts what it
 * left and deletes its directories and the files it creates outside them.
 */
public final class DockerdProcess implements AutoCloseable {

	/** What dockerd creates outside its directories, deepest first: removed again unless it was there before. */
	private static final List<Path> HOST_PATHS = List.of(Path.of("/etc/docker/key.json"), Path.of("/etc/docker"),
			Path.of("/run/docker/plugins"), Path.of("/run/docker"));

	private final Path directory;

	private final Process process;

	private final List<Path> createdHostPaths;

	private DockerdProcess(Path directory, Process process, List<Path> createdHostPaths) {
		this.directory = directory;
		this.process = process;
		this.createdHostPaths = createdHostPaths;
	}

	public static DockerdProcess start(String registryMirror, String insecureRegistry)
			throws IOException, InterruptedException {
		Path directory = Files.createTempDirectory("berth-dockerd-");
		List<Path> absent = HOST_PATHS.stream().filter((path) -> !Files.exists(path)).toList();
		Path config = Files.writeString(directory.resolve("daemon.json"), "{}");
		Path log = directory.resolve("dockerd.log");
		Process process = new ProcessBuilder("dockerd", "--config-file", config.toString(), "-H",
				"unix://" + directory.resolve("docker.sock"), "--data-root", directory.resolve("data").toString(),
				"--exec-root", directory.resolve("exec").toString(), "--pidfile", directory.resolve("docker.pid").toString(),
				"--bridge", "none", "--iptables=false", "--ip-masq=false", "--ip-forward=false", "--storage-driver",
				"overlay2", "--registry-mirror", registryMirror, "--insecure-registry", insecureRegistry)
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		DockerdProcess dockerd = new DockerdProcess(directory, process, absent);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (dockerd.docker("version").exitCode() != 0) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				String output = Files.readString(log);
				dockerd.close();
				throw new IllegalStateException("dockerd did not come up:\n" + output);
			}
			Thread.sleep(200);
		}
		return dockerd;
	}

	public Path socket() {
		return this.directory.resolve("docker.sock");
	}

	/** DOCKER_HOST and DOCKER_CONFIG for clients of this dockerd. */
	public Map<String, String> clientEnvironment() {
		return Map.of("DOCKER_HOST", "unix://" + socket(), "DOCKER_CONFIG", this.directory.resolve("cli").toString());
	}

	public Commands.Result docker(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add("docker");
		command.addAll(List.of(arguments));
		return Commands.run(command, clientEnvironment());
	}

	@Override
	public void close() throws InterruptedException {
		try {
			if (this.process.isAlive()) {
				String ids = docker("ps", "-aq").stdout().strip();
				if (!ids.isEmpty()) {
					List<String> remove = new ArrayList<>(List.of("rm", "-f"));
					remove.addAll(List.of(ids.split("\\s+")));
					docker(remove.toArray(String[]::new));
				}
			}
			// SIGTERM: dockerd stops its containerd and goes
			this.process.destroy();
			if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
				this.process.descendants().forEach(ProcessHandle::destroyForcibly);
				this.process.destroyForcibly().waitFor();
			}
			Commands.unmountUnder(this.directory);
		}
		finally {
			for (Path path : this.createdHostPaths) {
				try {
					Files.deleteIfExists(path);
				}
				catch (DirectoryNotEmptyException ex) {
					// something else put files there since: theirs to remove
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}
			Commands.deleteRecursively(this.directory);
		}
	}

}
