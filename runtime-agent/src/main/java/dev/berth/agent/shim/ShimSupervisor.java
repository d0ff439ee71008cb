package dev.berth.agent.shim;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.berth.agent.AgentProperties;
import dev.berth.runtime.container.InitLauncher;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.PosixSpawn;
import dev.berth.runtime.shim.NodeShim;
import dev.berth.runtime.shim.ShimClient;

/**
 * Finds the node shim, or starts it: detached in a session of its own, so it outlives this agent,
 * and with a classpath of just the runtime and JNA.
 */
@Configuration(proxyBeanMethods = false)
class ShimSupervisor {

	private static final Logger log = LoggerFactory.getLogger(ShimSupervisor.class);

	@Bean
	ShimClient shimClient(AgentProperties properties) {
		ShimClient client = new ShimClient(properties.shimSocket());
		if (client.isServing()) {
			log.info("Reattached to the node shim at {}", properties.shimSocket());
			return client;
		}
		int pid = startShim(properties);
		long deadline = System.nanoTime() + 20_000_000_000L;
		while (!client.isServing()) {
			if (System.nanoTime() > deadline || !Kernel.exists(pid)) {
				throw new IllegalStateException("the node shim did not come up; see " + shimLog(properties));
			}
			sleep();
		}
		log.info("Started the node shim (pid {}) at {}", pid, properties.shimSocket());
		return client;
	}

	private static int startShim(AgentProperties properties) {
		try {
			Files.createDirectories(properties.shimState());
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
					"-Xmx96m", "-Xss256k", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
					"-Djava.util.logging.ConsoleHandler.level=INFO", "-cp", runtimeClasspath(properties),
					NodeShim.class.getName(), "--state", properties.shimState().toString(), "--root",
					properties.runtimeRoot().toString(), "--socket", properties.shimSocket().toString()));
			int devNull = Kernel.open("/dev/null", Kernel.O_RDWR | Kernel.O_CLOEXEC, 0);
			int logFd = Kernel.open(shimLog(properties).toString(),
					Kernel.O_WRONLY | Kernel.O_CLOEXEC | 0x40 /* O_CREAT */ | 0x400 /* O_APPEND */, 0600);
			try {
				// a session of its own: our death (or Ctrl-C on our terminal) does not reach it
				return PosixSpawn.spawn(java, command, List.of("LANG=C.UTF-8"), new int[] { devNull, logFd, logFd },
						true);
			}
			finally {
				Kernel.close(devNull);
				Kernel.close(logFd);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path shimLog(AgentProperties properties) {
		return properties.shimState().resolve("shim.log");
	}

	/** The configured runtime classpath, or our own classes and JNA's jar when we run unpacked. */
	static String runtimeClasspath(AgentProperties properties) {
		if (!properties.runtimeClasspath().isEmpty()) {
			return properties.runtimeClasspath();
		}
		try {
			Path classes = Path.of(InitLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			Path jna = Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			return classes + File.pathSeparator + jna;
		}
		catch (URISyntaxException | RuntimeException ex) {
			throw new IllegalStateException(
					"set berth.agent.runtime-classpath to the runtime jar and jna.jar (target/runtime/)", ex);
		}
	}

	private static void sleep() {
		try {
			Thread.sleep(50);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while starting the node shim");
		}
	}

}
