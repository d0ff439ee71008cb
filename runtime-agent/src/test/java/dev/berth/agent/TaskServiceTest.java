package dev.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.contracts.agent.v1.CreateRequest;
import dev.berth.contracts.agent.v1.DeleteRequest;
import dev.berth.contracts.agent.v1.EventsRequest;
import dev.berth.contracts.agent.v1.EventsResponse;
import dev.berth.contracts.agent.v1.ExecRequest;
import dev.berth.contracts.agent.v1.KillRequest;
import dev.berth.contracts.agent.v1.ListRequest;
import dev.berth.contracts.agent.v1.Mount;
import dev.berth.contracts.agent.v1.PauseRequest;
import dev.berth.contracts.agent.v1.PidsRequest;
import dev.berth.contracts.agent.v1.ResumeRequest;
import dev.berth.contracts.agent.v1.StartRequest;
import dev.berth.contracts.agent.v1.StateRequest;
import dev.berth.contracts.agent.v1.StatsRequest;
import dev.berth.contracts.agent.v1.StdioConfig;
import dev.berth.contracts.agent.v1.TaskStatus;
import dev.berth.contracts.agent.v1.Resources;
import dev.berth.contracts.agent.v1.StatsResponse;
import dev.berth.contracts.agent.v1.UpdateRequest;
import dev.berth.contracts.agent.v1.WaitRequest;
import dev.berth.contracts.agent.v1.WaitResponse;
import dev.berth.runtime.TestBundles;
import dev.berth.runtime.TestRuntimes;
import dev.berth.runtime.spec.Json;

/**
 * TaskService end to end: gRPC in, the agent, the node shim it starts, real containers out.
 */
@Tag("privileged")
@SpringBootTest(properties = "spring.grpc.server.port=0")
class TaskServiceTest {

	static final Path EXEC_ROOT = AgentTestSupport.tempDir("berth-agent-test");

	@DynamicPropertySource
	static void execRoot(DynamicPropertyRegistry registry) {
		registry.add("berth.agent.exec-root", EXEC_ROOT::toString);
		registry.add("berth.agent.data-root", () -> EXEC_ROOT.resolve("data").toString());
	}

	@LocalGrpcServerPort
	int port;

	@Autowired
	AgentProperties properties;

	private AgentClient client;

	@BeforeEach
	void connect() {
		this.client = new AgentClient(this.port);
	}

	@AfterEach
	void disconnect() {
		this.client.close();
	}

	@AfterAll
	static void stopShim() throws IOException {
		AgentTestSupport.stopShim(EXEC_ROOT);
		TestRuntimes.removeEmptyParentCgroups();
		AgentTestSupport.removeExecRoot(EXEC_ROOT);
	}

	@Test
	void exitCodeAndJsonFileLog() throws Exception {
		Path log = EXEC_ROOT.resolve("logs/log1-json.log");
		Files.createDirectories(log.getParent());
		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "log1",
				List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
				StdioConfig.newBuilder().setLogPath(log.toString()).build(), (spec) -> {
				}));
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("log1").build());
		WaitResponse exit = this.client.tasks.wait(WaitRequest.newBuilder().setContainerId("log1").build());
		assertThat(exit.getExitStatus()).isEqualTo(3);
		assertThat(exit.getOomKilled()).isFalse();
		List<String> lines = Files.readAllLines(log);
		assertThat(lines).hasSize(2);
		assertThat(lines).anySatisfy((l) -> assertThat(l).startsWith("{\"log\":\"out\\n\",\"stream\":\"stdout\",\"time\":\""));
		assertThat(lines).anySatisfy((l) -> assertThat(l).startsWith("{\"log\":\"err\\n\",\"stream\":\"stderr\",\"time\":\""));
		assertThat(this.client.tasks.state(StateRequest.newBuilder().setContainerId("log1").build()).getStatus())
			.isEqualTo(TaskStatus.TASK_STATUS_STOPPED);
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("log1").build());
		assertThat(Files.exists(this.properties.bundles().resolve("log1"))).isFalse();
	}

	@Test
	void stdinRoundTripsThroughAttach() throws Exception {
		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "cat1", List.of("cat"),
				StdioConfig.newBuilder().setStdin(true).build(), (spec) -> {
				}));
		AgentClient.Attached attached = this.client.attach("cat1", "", "hello, berth\n");
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("cat1").build());
		assertThat(attached.stdout()).isEqualTo("hello, berth\n");
		assertThat(this.client.tasks.wait(WaitRequest.newBuilder().setContainerId("cat1").build()).getExitStatus())
			.isZero();
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("cat1").build());
	}

	@Test
	void terminalWithConsoleSize() throws Exception {
		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "tty1",
				List.of("sh", "-c", "sleep 0.3; stty size"),
				StdioConfig.newBuilder().setTerminal(true).setConsoleWidth(100).setConsoleHeight(30).build(),
				(spec) -> TestBundles.child(spec, "process").put("terminal", true)));
		AgentClient.Attached attached = this.client.attach("tty1", "", null);
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("tty1").build());
		assertThat(attached.stdout()).isEqualTo("30 100\r\n");
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("tty1").build());
	}

	@Test
	void execPauseStatsAndPids() throws Exception {
		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "run1", List.of("sleep", "1000")));
		int pid = this.client.tasks.start(StartRequest.newBuilder().setContainerId("run1").build()).getPid();
		String process = Json.write(Json.obj("args", List.of("sh", "-c", "cat /proc/1/cmdline; exit 4"), "cwd", "/",
				"env", List.of("PATH=/bin"), "user", Json.obj("uid", 0, "gid", 0)));
		this.client.tasks.exec(ExecRequest.newBuilder()
			.setContainerId("run1")
			.setExecId("e1")
			.setProcessJson(ByteString.copyFromUtf8(process))
			.build());
		AgentClient.Attached attached = this.client.attach("run1", "e1", null);
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("run1").setExecId("e1").build());
		assertThat(attached.stdout()).isEqualTo("sleep\u00001000\u0000");
		assertThat(this.client.tasks.wait(WaitRequest.newBuilder().setContainerId("run1").setExecId("e1").build())
			.getExitStatus()).isEqualTo(4);

		assertThat(this.client.tasks.stats(StatsRequest.newBuilder().setContainerId("run1").build()).getPidsCurrent())
			.isEqualTo(1);
		assertThat(this.client.tasks.pids(PidsRequest.newBuilder().setContainerId("run1").build()).getProcessesList())
			.extracting((p) -> p.getPid())
			.containsExactly(pid);
		this.client.tasks.pause(PauseRequest.newBuilder().setContainerId("run1").build());
		assertThat(this.client.tasks.state(StateRequest.newBuilder().setContainerId("run1").build()).getStatus())
			.isEqualTo(TaskStatus.TASK_STATUS_PAUSED);
		this.client.tasks.resume(ResumeRequest.newBuilder().setContainerId("run1").build());
		assertThat(this.client.tasks.state(StateRequest.newBuilder().setContainerId("run1").build()).getStatus())
			.isEqualTo(TaskStatus.TASK_STATUS_RUNNING);

		this.client.tasks.kill(KillRequest.newBuilder().setContainerId("run1").setSignal(9).build());
		assertThat(this.client.tasks.wait(WaitRequest.newBuilder().setContainerId("run1").build()).getExitStatus())
			.isEqualTo(137);
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("run1").build());
	}

	@Test
	void oomKillIsReportedAndLimitsCanBeUpdated() throws Exception {
		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "oom1",
				List.of("dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"), StdioConfig.getDefaultInstance(),
				(spec) -> TestBundles.child(spec, "linux")
					.put("resources", Json.obj("memory", Json.obj("limit", 48L << 20, "swap", 48L << 20)))));
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("oom1").build());
		WaitResponse exit = this.client.tasks.wait(WaitRequest.newBuilder().setContainerId("oom1").build());
		assertThat(exit.getExitStatus()).isEqualTo(137);
		assertThat(exit.getOomKilled()).isTrue();
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("oom1").build());

		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "upd1", List.of("sleep", "1000")));
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("upd1").build());
		this.client.tasks.update(UpdateRequest.newBuilder()
			.setContainerId("upd1")
			.setResources(Resources.newBuilder().setPidsLimit(7).setMemoryLimitBytes(64L << 20).setMemorySwapBytes(64L << 20))
			.build());
		StatsResponse stats = this.client.tasks.stats(StatsRequest.newBuilder().setContainerId("upd1").build());
		assertThat(stats.getPidsLimit()).isEqualTo(7);
		assertThat(stats.getMemoryLimitBytes()).isEqualTo(64L << 20);
		assertThat(stats.getMemoryUsageBytes()).isPositive();
		// the node's totals, against which the CLI computes percentages
		assertThat(stats.getOnlineCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
		assertThat(stats.getSystemCpuUsageNanos()).isGreaterThan(stats.getCpuUsageNanos());
		assertThat(stats.getHostMemoryBytes()).isGreaterThan(64L << 20);
		assertThat(stats.getReadAtUnixNano()).isPositive();
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("upd1").setForce(true).build());
	}

	@Test
	void overlayRootfsFromLayersKeepsWritesInTheUpperDir() throws Exception {
		CreateRequest base = AgentTestSupport.create(EXEC_ROOT.resolve("ov"), "ovl1",
				List.of("sh", "-c", "echo written > /etc/marker; cat /etc/marker"), StdioConfig.getDefaultInstance(),
				(spec) -> {
				});
		Path layer = EXEC_ROOT.resolve("ov/ovl1/rootfs");
		Path upper = Files.createDirectories(EXEC_ROOT.resolve("ov/upper"));
		Path work = Files.createDirectories(EXEC_ROOT.resolve("ov/work"));
		CreateRequest overlay = withSpec(base, (spec) -> spec.put("root", Json.obj("path", "rootfs")))
			.toBuilder()
			.addRootfs(Mount.newBuilder()
				.setType("overlay")
				.setSource("overlay")
				.addOptions("lowerdir=" + layer)
				.addOptions("upperdir=" + upper)
				.addOptions("workdir=" + work))
			.build();
		this.client.tasks.create(overlay);
		AgentClient.Attached attached = this.client.attach("ovl1", "", null);
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("ovl1").build());
		assertThat(attached.stdout()).isEqualTo("written\n");
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("ovl1").build());
		assertThat(Files.readString(upper.resolve("etc/marker"))).isEqualTo("written\n");
		assertThat(Files.exists(layer.resolve("etc/marker"))).as("the image layer is untouched").isFalse();
		assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(upper.toString());
	}

	@Test
	void execWithATerminal() throws Exception {
		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "tty2", List.of("sleep", "1000")));
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("tty2").build());
		String process = Json.write(Json.obj("terminal", true, "args", List.of("sh", "-c", "sleep 0.3; tty; stty size"),
				"cwd", "/tmp", "env", List.of("PATH=/bin"), "user", Json.obj("uid", 65534, "gid", 65534)));
		this.client.tasks.exec(ExecRequest.newBuilder()
			.setContainerId("tty2")
			.setExecId("t")
			.setProcessJson(ByteString.copyFromUtf8(process))
			.setStdio(StdioConfig.newBuilder().setTerminal(true).setConsoleWidth(90).setConsoleHeight(20))
			.build());
		AgentClient.Attached attached = this.client.attach("tty2", "t", null);
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("tty2").setExecId("t").build());
		assertThat(attached.stdout()).isEqualTo("/dev/pts/0\r\n20 90\r\n");
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("tty2").setForce(true).build());
	}

	@Test
	void eventsReportStartAndExit() throws Exception {
		BlockingQueue<EventsResponse> events = new LinkedBlockingQueue<>();
		this.client.async.events(EventsRequest.getDefaultInstance(), new StreamObserver<>() {

			@Override
			public void onNext(EventsResponse event) {
				events.add(event);
			}

			@Override
			public void onError(Throwable error) {
			}

			@Override
			public void onCompleted() {
			}

		});
		Thread.sleep(200); // the subscription is in place before anything happens
		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "ev1", List.of("sh", "-c", "exit 5")));
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("ev1").build());
		EventsResponse started = nextFor(events, "ev1");
		assertThat(started.hasStarted()).isTrue();
		EventsResponse exited = nextFor(events, "ev1");
		assertThat(exited.hasExited()).isTrue();
		assertThat(exited.getExited().getExitStatus()).isEqualTo(5);
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("ev1").build());
	}

	@Test
	void badInputGetsAClearStatusAndLeavesNothing() throws Exception {
		CreateRequest good = AgentTestSupport.create(EXEC_ROOT.resolve("b"), "bad1", List.of("true"));
		AgentTestSupport.assertStatus(() -> this.client.tasks.create(good.toBuilder().setSpecJson(ByteString.copyFromUtf8("{\"ociVersion\":")).build()),
				Status.Code.INVALID_ARGUMENT, "malformed JSON");
		AgentTestSupport.assertStatus(() -> this.client.tasks.create(withSpec(good, (spec) -> spec.put("root", Json.obj("path", "rootfs")))),
				Status.Code.INVALID_ARGUMENT, "root.path: must be absolute");
		AgentTestSupport.assertStatus(() -> this.client.tasks.create(withSpec(good, (spec) -> TestBundles.child(spec, "process")
			.put("capabilities", Json.obj("bounding", List.of("CAP_NOPE"))))), Status.Code.INVALID_ARGUMENT,
				"process.capabilities.bounding: unknown capability \"CAP_NOPE\"");
		AgentTestSupport.assertStatus(() -> this.client.tasks.create(withSpec(good, (spec) -> TestBundles.child(spec, "process")
			.put("user", Json.obj("uid", 1L << 33, "gid", 0)))), Status.Code.INVALID_ARGUMENT, "process.user.uid");
		assertThat(this.client.tasks.list(ListRequest.getDefaultInstance()).getTasksList()).isEmpty();
		assertThat(Files.exists(this.properties.bundles().resolve("bad1"))).isFalse();

		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), "dup1", List.of("sleep", "1000")));
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("dup1").build());
		CreateRequest duplicate = AgentTestSupport.create(EXEC_ROOT.resolve("b2"), "dup1", List.of("true"));
		AgentTestSupport.assertStatus(() -> this.client.tasks.create(duplicate), Status.Code.ALREADY_EXISTS, "dup1");
		AgentTestSupport.assertStatus(() -> this.client.tasks.start(StartRequest.newBuilder().setContainerId("dup1").build()),
				Status.Code.FAILED_PRECONDITION, "already started");
		AgentTestSupport.assertStatus(() -> this.client.tasks.state(StateRequest.newBuilder().setContainerId("nope").build()),
				Status.Code.NOT_FOUND, "nope");
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("dup1").setForce(true).build());
		assertThat(this.client.tasks.list(ListRequest.getDefaultInstance()).getTasksList()).isEmpty();
	}

	private static CreateRequest withSpec(CreateRequest request,
			java.util.function.Consumer<Map<String, Object>> change) {
		Map<String, Object> spec = new java.util.LinkedHashMap<>(
				dev.berth.runtime.spec.JsonObject.parse(request.getSpecJson().toStringUtf8()).fields());
		change.accept(spec);
		return request.toBuilder().setSpecJson(ByteString.copyFromUtf8(Json.write(spec))).build();
	}

	private static EventsResponse nextFor(BlockingQueue<EventsResponse> events, String id) throws InterruptedException {
		while (true) {
			EventsResponse event = events.poll(20, TimeUnit.SECONDS);
			assertThat(event).as("an event for " + id).isNotNull();
			if (event.getContainerId().equals(id)) {
				return event;
			}
		}
	}

}
