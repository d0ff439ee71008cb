package dev.berth.contracts.node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NodeProcessTests {

	/** What the services' beans saw, in order: their starting and their stopping. */
	static final List<String> seen = new ArrayList<>();

	@Test
	void everyServiceHasTheArgumentsUpToTheNext() {
		List<NodeProcess.Service> services = NodeProcess.parse(new String[] { "--service=a.Engine", "--x=1", "--y",
				"--service=b.Gateway", "--service=c.Agent", "--z=2" });
		assertThat(services).containsExactly(new NodeProcess.Service("a.Engine", List.of("--x=1", "--y")),
				new NodeProcess.Service("b.Gateway", List.of()), new NodeProcess.Service("c.Agent", List.of("--z=2")));
	}

	@Test
	void aCommandLineWithoutAServiceOrWithArgumentsOfNoneIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> NodeProcess.parse(new String[0]))
			.withMessage("no --service=");
		assertThatIllegalArgumentException().isThrownBy(() -> NodeProcess.parse(new String[] { "--x=1", "--service=a.B" }))
			.withMessage("--x=1: an argument before the first --service=");
		assertThatIllegalArgumentException().isThrownBy(() -> NodeProcess.parse(new String[] { "--service=" }))
			.withMessage("--service=: no main class");
	}

	@Test
	void aServiceReadsTheApplicationPropertiesPackagedWithIt() throws Exception {
		// a class from a jar: the file inside that jar
		Path junitJar = Path.of(Test.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		assertThat(NodeProcess.ownProperties(Test.class)).isEqualTo("jar:" + junitJar.toUri() + "!/application.properties");
		// a class from a directory (as here, in target/test-classes): the file in that directory
		String beside = NodeProcess.ownProperties(NodeProcessTests.class);
		assertThat(beside).startsWith("file:").endsWith("/test-classes/application.properties");
		assertThat(Path.of(java.net.URI.create(beside))).exists();
	}

	@Test
	void servicesStartInOrderWithTheirOwnArgumentsAndStopInReverse() throws Exception {
		seen.clear();
		NodeProcess node = new NodeProcess();
		try {
			node.start(new NodeProcess.Service(First.class.getName(), List.of("--berth.test.name=first")));
			node.start(new NodeProcess.Service(Second.class.getName(), List.of("--berth.test.name=second")));
		}
		finally {
			node.stop();
		}
		assertThat(seen).containsExactly("first started", "second started",
				"second stopped", "first stopped");
		// stopped means gone: the thread that kept each context up ends with it
		List<Thread> keepAlive = Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals("keep-alive"))
			.toList();
		for (Thread thread : keepAlive) {
			thread.join(TimeUnit.SECONDS.toMillis(30));
		}
		assertThat(keepAlive).noneMatch(Thread::isAlive);
	}

	@Test
	void aServiceThatCannotStartStopsTheProcessAndTheServicesBeforeIt() throws Exception {
		Result result = nodeProcess("--service=" + First.class.getName(), "--berth.test.name=first",
				"--service=" + Failing.class.getName(), "--berth.test.name=failing");
		assertThat(result.status()).isEqualTo(1);
		assertThat(result.output()).contains("the failing service's bean refused to start");
		assertThat(result.output().indexOf("first stopped")).isGreaterThan(result.output().indexOf("first started"));
	}

	@Test
	void aMissingMainClassStopsTheProcess() throws Exception {
		Result result = nodeProcess("--service=dev.berth.NoSuchService");
		assertThat(result.status()).isEqualTo(1);
		assertThat(result.output()).contains("ClassNotFoundException: dev.berth.NoSuchService");
	}

	@Test
	void aCommandLineItCannotReadIsAUsageError() throws Exception {
		Result result = nodeProcess("--x=1");
		assertThat(result.status()).isEqualTo(2);
		assertThat(result.output()).contains("--x=1: an argument before the first --service=").contains("usage:");
	}

	/** NodeProcess in a JVM of its own, as berthd starts it, on this test's class path. */
	private static Result nodeProcess(String... arguments) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("java.class.path"), NodeProcess.class.getName()));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(120, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("NodeProcess did not end:\n" + output);
		}
		return new Result(process.exitValue(), output);
	}

	private record Result(int status, String output) {
	}

	/**
	 * A bean that records its service's start and its stop, under the name its arguments give: in
	 * {@link #seen}, and on standard output for a test that runs NodeProcess in a JVM of its own.
	 */
	static DisposableBean recorder(Environment environment) {
		String name = environment.getProperty("berth.test.name");
		record(name + " started");
		return () -> record(name + " stopped");
	}

	private static void record(String event) {
		seen.add(event);
		System.out.println(event);
	}

	@Configuration(proxyBeanMethods = false)
	static class First {

		@Bean
		DisposableBean recorder(Environment environment) {
			return NodeProcessTests.recorder(environment);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Failing {

		@Bean
		Object refusing() {
			throw new IllegalStateException("the failing service's bean refused to start");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Second {

		@Bean
		DisposableBean recorder(Environment environment) {
			return NodeProcessTests.recorder(environment);
		}

	}

}
