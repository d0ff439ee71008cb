package dev.berth.gateway.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** Runs the tools the tests drive (skopeo, the fixture script, the docker CLI) and removes what they leave. */
public final class Commands {

	private Commands() {
	}

	/** What a command printed, and how it ended. */
	public record Result(int exitCode, String stdout, String stderr) {

		/** The output of a command that must succeed; its stderr is in the error when it did not. */
		public String ok() {
			if (this.exitCode != 0) {
				throw new AssertionError("exit code " + this.exitCode + "\nstdout:\n" + this.stdout + "\nstderr:\n"
						+ this.stderr);
			}
			return this.stdout;
		}

	}

	public static Result run(List<String> command, Map<String, String> environment) {
		return run(command, environment, null);
	}

	/** What a test types into a command, as it runs: it writes and waits as it likes. */
	@FunctionalInterface
	public interface Typist {

		void type(OutputStream stdin) throws IOException, InterruptedException;

	}

	/**
	 * Runs a command whose stdin stays open until it ends, after {@code typist} (when not null) has typed: a
	 * pipe, not /dev/null, so that script(1) never reads an end of input, which it would pass on to the
	 * terminal as its end-of-file character (a NUL once the docker CLI has made that terminal raw).
	 */
	public static Result interactive(List<String> command, Map<String, String> environment, Typist typist) {
		return run(command, environment, (typist != null) ? typist : (stdin) -> { });
	}

	private static Result run(List<String> command, Map<String, String> environment, Typist typist) {
		ProcessBuilder builder = new ProcessBuilder(command);
		if (typist == null) {
			builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
		}
		builder.environment().putAll(environment);
		try {
			Process process = builder.start();
			CompletableFuture<Void> typing = (typist == null) ? CompletableFuture.completedFuture(null)
					: CompletableFuture.runAsync(() -> type(typist, process.getOutputStream()));
			// both pipes at once: a command that fills one while we wait on the other would never end
			CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
			String stdout = read(process.getInputStream());
			int exitCode = process.waitFor();
			typing.join();
			process.getOutputStream().close();
			return new Result(exitCode, stdout, stderr.join());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The real docker CLI against the gateway's {@code socket}, with a config directory of its own under
	 * {@code directory}: it must not read or write root's.
	 */
	public static Result docker(Path socket, Path directory, String... arguments) {
		List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + socket));
		command.addAll(List.of(arguments));
		return run(command, Map.of("DOCKER_CONFIG", directory.resolve("docker-config").toString()));
	}

	public static String ok(String... command) {
		return run(List.of(command), Map.of()).ok();
	}

	/** The repository's root, found upwards from where the tests run (the module, or the root in an IDE). */
	public static Path repositoryRoot() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("scripts/registry-fixtures.sh"))) {
				return dir;
			}
		}
		throw new IllegalStateException("scripts/registry-fixtures.sh is not in " + Path.of("").toAbsolutePath() + " or above");
	}

	/** Unmounts whatever is still mounted under {@code directory} (a daemon that did not clean up), deepest first. */
	public static void unmountUnder(Path directory) {
		try {
			List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"))
				.stream()
				.map((line) -> line.split(" ")[4])
				.filter((mountPoint) -> mountPoint.startsWith(directory + "/"))
				.sorted(Comparator.reverseOrder())
				.toList();
			for (String mountPoint : mounts) {
				run(List.of("umount", "-l", mountPoint), Map.of());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static void deleteRecursively(Path directory) {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot delete " + directory, ex);
		}
	}

	private static void type(Typist typist, OutputStream stdin) {
		try {
			typist.type(stdin);
			stdin.flush();
		}
		catch (IOException ex) {
			// the command ended before it read everything: its result tells the test what happened
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static String read(java.io.InputStream in) {
		try (in) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
