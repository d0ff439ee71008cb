package dev.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.contracts.agent.v1.DeleteRequest;
import dev.berth.contracts.agent.v1.KillRequest;
import dev.berth.contracts.agent.v1.ListRequest;
import dev.berth.contracts.agent.v1.StartRequest;
import dev.berth.contracts.agent.v1.StateRequest;
import dev.berth.contracts.agent.v1.StdioConfig;
import dev.berth.contracts.agent.v1.TaskStatus;
import dev.berth.contracts.agent.v1.WaitRequest;
import dev.berth.runtime.TestRuntimes;

/**
 * {@code kill -9} of the agent: containers keep running and logging under the shim, and a new
 * agent reports them, including the exit of one that ended while no agent was there.
 */
@Tag("privileged")
class AgentRestartTest {

	@TempDir
	Path temp;

	private Process agent;

	@AfterEach
	void cleanUp() {
		if (this.agent != null) {
			this.agent.destroyForcibly();
		}
		AgentTestSupport.stopShim(this.temp.resolve("exec"));
		TestRuntimes.removeEmptyParentCgroups();
	}

	@Test
	void containersOutliveAKilledAgentAndANewAgentReattaches() throws Exception {
		int port = freePort();
		Path execRoot = this.temp.resolve("exec");
		Path log = this.temp.resolve("ticker-json.log");
		this.agent = startAgent(execRoot, port);
		try (AgentClient client = awaitAgent(port)) {
			client.tasks.create(AgentTestSupport.create(this.temp, "ticker",
					List.of("sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.05; done"),
					StdioConfig.newBuilder().setLogPath(log.toString()).build(), (spec) -> {
					}));
			client.tasks.start(StartRequest.newBuilder().setContainerId("ticker").build());
			client.tasks.create(AgentTestSupport.create(this.temp, "brief", List.of("sh", "-c", "sleep 1; exit 7")));
			client.tasks.start(StartRequest.newBuilder().setContainerId("brief").build());
		}

		this.agent.destroyForcibly().waitFor(); // SIGKILL
		long linesAtKill = lines(log);
		Thread.sleep(2000);
		assertThat(lines(log)).as("the log goes on growing while no agent runs").isGreaterThan(linesAtKill + 10);

		this.agent = startAgent(execRoot, port);
		try (AgentClient client = awaitAgent(port)) {
			assertThat(client.tasks.list(ListRequest.getDefaultInstance()).getTasksList()).hasSize(2);
			assertThat(client.tasks.state(StateRequest.newBuilder().setContainerId("ticker").build()).getStatus())
				.isEqualTo(TaskStatus.TASK_STATUS_RUNNING);
			assertThat(client.tasks.wait(WaitRequest.newBuilder().setContainerId("brief").build()).getExitStatus())
				.isEqualTo(7);
			client.tasks.kill(KillRequest.newBuilder().setContainerId("ticker").setSignal(9).build());
			assertThat(client.tasks.wait(WaitRequest.newBuilder().setContainerId("ticker").build()).getExitStatus())
				.isEqualTo(137);
			client.tasks.delete(DeleteRequest.newBuilder().setContainerId("ticker").build());
			client.tasks.delete(DeleteRequest.newBuilder().setContainerId("brief").build());
		}
	}

	private static Process startAgent(Path execRoot, int port) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
				System.getProperty("java.class.path"), RuntimeAgentApplication.class.getName(),
				"--berth.agent.exec-root=" + execRoot, "--berth.agent.data-root=" + execRoot.resolve("data"), "--berth.agent.runtime-classpath=" + TestRuntimes.initClasspath(),
				"--spring.grpc.server.port=" + port)
			.redirectErrorStream(true)
			.redirectOutput(execRoot.resolveSibling("agent-" + port + "-" + System.nanoTime() + ".log").toFile())
			.start();
	}

	private static AgentClient awaitAgent(int port) throws InterruptedException {
		long deadline = System.nanoTime() + 60_000_000_000L;
		while (true) {
			AgentClient client = new AgentClient(port);
			try {
				client.tasks.list(ListRequest.getDefaultInstance());
				return client;
			}
			catch (RuntimeException ex) {
				client.close();
				if (System.nanoTime() > deadline) {
					throw new AssertionError("the agent did not come up", ex);
				}
				Thread.sleep(200);
			}
		}
	}

	private static long lines(Path log) throws IOException {
		return Files.exists(log) ? Files.readAllLines(log).size() : 0;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
