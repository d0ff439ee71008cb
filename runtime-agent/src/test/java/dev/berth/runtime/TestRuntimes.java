package dev.berth.runtime;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.sun.jna.Native;

import dev.berth.runtime.container.ContainerRuntime;
import dev.berth.runtime.container.InitLauncher;

/** A {@link ContainerRuntime} whose inits start from this build's classes and JNA's jar. */
public final class TestRuntimes {

	private TestRuntimes() {
	}

	public static ContainerRuntime create(Path stateRoot) {
		return new ContainerRuntime(stateRoot, new InitLauncher(initClasspath(), stateRoot.resolve(".lib")));
	}

	/**
	 * A launcher that forks inits from a zygote, as the shim's does; returns once the
	 * zygote has trained and serves.
	 */
	public static InitLauncher forkingLauncher(Path stateRoot) throws InterruptedException {
		InitLauncher launcher = new InitLauncher(initClasspath(), stateRoot.resolve(".lib"));
		launcher.forkInits(true);
		long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
		while (!launcher.forksInits()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("no init zygote trained within 120 s");
			}
			Thread.sleep(20);
		}
		return launcher;
	}

	/**
	 * Removes the empty {@code /berth} parent cgroups the runtime keeps between containers (as
	 * Docker keeps {@code /docker}), so a test run leaves the machine as it found it.
	 */
	public static void removeEmptyParentCgroups() {
		removeLeftoverCgroups(null);
	}

	/**
	 * As {@link #removeEmptyParentCgroups}, after removing the empty cgroups under {@code /berth}
	 * whose names match {@code testIds}: what a test run that was killed (and so could not clean up)
	 * left. A cgroup with a process in it is never removed (the kernel refuses), nor one a real
	 * container could have: test ids have shapes of their own.
	 */
	public static void removeLeftoverCgroups(Pattern testIds) {
		try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
			for (Path hierarchy : hierarchies.toList()) {
				Path parent = hierarchy.resolve("berth");
				if (testIds != null && Files.isDirectory(parent)) {
					try (Stream<Path> children = Files.list(parent)) {
						for (Path child : children.toList()) {
							if (Files.isDirectory(child) && testIds.matcher(child.getFileName().toString()).matches()) {
								removeIfEmpty(child);
							}
						}
					}
				}
				removeIfEmpty(parent);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void removeIfEmpty(Path cgroup) {
		try {
			Files.deleteIfExists(cgroup);
		}
		catch (IOException ex) {
			// still in use (by a container, or by cgroups below it): not ours to remove
		}
	}

	/** Two entries, as in production: our compiled classes and the JNA jar. */
	public static String initClasspath() {
		try {
			Path classes = Path.of(InitLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			Path jna = Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			return classes + File.pathSeparator + jna;
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
