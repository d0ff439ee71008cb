package dev.berth.runtime;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;

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
		Path root = Path.of("/sys/fs/cgroup");
		try (var controllers = java.nio.file.Files.list(root)) {
			for (Path controller : controllers.toList()) {
				Path parent = controller.resolve("berth");
				try {
					java.nio.file.Files.deleteIfExists(parent);
				}
				catch (java.io.IOException ex) {
					// still in use by a container: not ours to remove
				}
			}
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
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
