package dev.berth.contracts.node;

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

	/** A bean that records its service's start and its stop, under the name its arguments give. */
	static DisposableBean recorder(Environment environment) {
		String name = environment.getProperty("berth.test.name");
		seen.add(name + " started");
		return () -> seen.add(name + " stopped");
	}

	@Configuration(proxyBeanMethods = false)
	static class First {

		@Bean
		DisposableBean recorder(Environment environment) {
			return NodeProcessTests.recorder(environment);
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
