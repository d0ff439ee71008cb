package dev.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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

import dev.berth.contracts.agent.v1.AttachRequest;
import dev.berth.contracts.agent.v1.ContainerFile;
import dev.berth.contracts.agent.v1.CreateRequest;
import dev.berth.contracts.agent.v1.DeleteRequest;
import dev.berth.contracts.agent.v1.ExecRequest;
import dev.berth.contracts.agent.v1.KillRequest;
import dev.berth.contracts.agent.v1.ListRequest;
import dev.berth.contracts.agent.v1.LogsRequest;
import dev.berth.contracts.agent.v1.LogsResponse;
import dev.berth.contracts.agent.v1.RemoveSnapshotRequest;
import dev.berth.contracts.agent.v1.SnapshotServiceGrpc;
import dev.berth.contracts.agent.v1.StartRequest;
import dev.berth.contracts.agent.v1.StdioConfig;
import dev.berth.contracts.agent.v1.StdioStream;
import dev.berth.contracts.agent.v1.TopRequest;
import dev.berth.contracts.agent.v1.TopResponse;
import dev.berth.contracts.agent.v1.WaitRequest;
import dev.berth.runtime.TestBundles;
import dev.berth.runtime.TestRuntimes;
import dev.berth.runtime.spec.Json;

/**
 * What lifecycle-service needs of a node to run Docker containers, end to end through gRPC with
 * real containers: the attach acknowledgment, the container's files, its json-file log read back
 * by Logs, RemoveSnapshot taking the container's directory along, Docker's User, and Top.
 */
@Tag("privileged")
@SpringBootTest(properties = "spring.grpc.server.port=0")
class ContainerIoTest {

	static final Path EXEC_ROOT = AgentTestSupport.tempDir("berth-agent-io-test");

	@DynamicPropertySource
	static void roots(DynamicPropertyRegistry registry) {
		registry.add("berth.agent.exec-root", EXEC_ROOT::toString);
		registry.add("berth.agent.data-root", () -> EXEC_ROOT.resolve("data").toString());
	}

	@LocalGrpcServerPort
	int port;

	@Autowired
	AgentProperties properties;

	private AgentClient client;

	private final List<String> containers = new ArrayList<>();

	@BeforeEach
	void connect() {
		this.client = new AgentClient(this.port);
	}

	@AfterEach
	void removeContainers() {
		for (String id : this.containers) {
			try {
				this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId(id).setForce(true).build());
			}
			catch (StatusRuntimeException ex) {
				// deleted by the test, or never created
			}
		}
		this.client.close();
	}

	@AfterAll
	static void stopShim() throws IOException {
		AgentTestSupport.stopShim(EXEC_ROOT);
		TestRuntimes.removeEmptyParentCgroups();
		AgentTestSupport.removeExecRoot(EXEC_ROOT);
	}

	@Test
	void attachIsAcknowledgedBeforeStartSoAQuickEchoArrivesWhole() throws Exception {
		create("ack1", List.of("echo", "every byte of a quick echo"), StdioConfig.getDefaultInstance(), (spec) -> {
		});
		// AgentClient.attach returns only after the "attached" response
		AgentClient.Attached attached = this.client.attach("ack1", "", null);
		start("ack1");
		assertThat(attached.stdout()).isEqualTo("every byte of a quick echo\n");
	}

	@Test
	void containerFilesAreBindMountedAndAReadOnlyOneRefusesWrites() throws Exception {
		CreateRequest request = AgentTestSupport.create(EXEC_ROOT.resolve("b"), "files1",
				List.of("sh", "-c", "cat /etc/hostname /etc/hosts /etc/resolv.conf; echo changed > /etc/hosts && "
						+ "cat /etc/hosts; (echo x > /etc/resolv.conf) 2>&1 || echo refused"),
				StdioConfig.getDefaultInstance(), (spec) -> {
				})
			.toBuilder()
			.addFiles(file("hostname", "web1\n", "/etc/hostname", false))
			.addFiles(file("hosts", "127.0.0.1 localhost\n10.0.0.2 web1\n", "/etc/hosts", false))
			.addFiles(file("resolv.conf", "nameserver 10.0.0.1\n", "/etc/resolv.conf", true))
			.build();
		this.containers.add("files1");
		this.client.tasks.create(request);
		AgentClient.Attached attached = this.client.attach("files1", "", null);
		start("files1");
		assertThat(attached.stdout()).isEqualTo(
				"web1\n127.0.0.1 localhost\n10.0.0.2 web1\nnameserver 10.0.0.1\nchanged\n"
						+ "sh: can't create /etc/resolv.conf: Read-only file system\nrefused\n");
		Path directory = this.properties.containers().resolve("files1");
		assertThat(Files.readString(directory.resolve("hosts"))).as("the container wrote through to the node's file")
			.isEqualTo("changed\n");
		assertThat(Files.readString(directory.resolve("resolv.conf"))).isEqualTo("nameserver 10.0.0.1\n");
	}

	@Test
	void aContainerFileNameMustBeAPlainName() throws Exception {
		CreateRequest request = AgentTestSupport.create(EXEC_ROOT.resolve("b"), "files2", List.of("true"))
			.toBuilder()
			.addFiles(file("../escape", "x", "/etc/x", false))
			.build();
		AgentTestSupport.assertStatus(() -> this.client.tasks.create(request), Status.Code.INVALID_ARGUMENT,
				"files.name: \"../escape\" is not a plain file name");
		assertThat(EXEC_ROOT.resolve("data/containers/escape")).doesNotExist();
		assertThat(this.client.tasks.list(ListRequest.getDefaultInstance()).getTasksList()).isEmpty();
	}

	@Test
	void logsReadBothStreamsInTheLogsOrderAndSelectTailAndSince() throws Exception {
		runToExit("logs1", List.of("sh", "-c", "echo o1; echo e1 >&2; echo o2; echo e2 >&2; echo o3"));
		List<LogsResponse> all = logs(LogsRequest.newBuilder().setStdout(true).setStderr(true).setTail(-1), "logs1");
		List<String> fileOrder = new ArrayList<>();
		for (String line : Files.readAllLines(this.properties.containers().resolve("logs1/logs1-json.log"))) {
			fileOrder.add(Json.parse(line) instanceof Map<?, ?> entry ? (String) entry.get("log") : null);
		}
		assertThat(all).extracting((r) -> r.getData().toStringUtf8()).containsExactlyElementsOf(fileOrder);
		assertThat(all).filteredOn((r) -> r.getStream() == StdioStream.STDIO_STREAM_STDOUT)
			.extracting((r) -> r.getData().toStringUtf8())
			.containsExactly("o1\n", "o2\n", "o3\n");
		assertThat(all).filteredOn((r) -> r.getStream() == StdioStream.STDIO_STREAM_STDERR)
			.extracting((r) -> r.getData().toStringUtf8())
			.containsExactly("e1\n", "e2\n");
		assertThat(all).extracting(LogsResponse::getTimeUnixNano).isSorted().allMatch((t) -> t > 0);

		assertThat(logs(LogsRequest.newBuilder().setStderr(true).setTail(-1), "logs1"))
			.extracting((r) -> r.getData().toStringUtf8())
			.containsExactly("e1\n", "e2\n");
		assertThat(logs(LogsRequest.newBuilder().setStdout(true).setStderr(true).setTail(2), "logs1"))
			.containsExactlyElementsOf(all.subList(3, 5));
		assertThat(logs(LogsRequest.newBuilder().setStdout(true).setStderr(true).setTail(0), "logs1")).isEmpty();
		long third = all.get(2).getTimeUnixNano();
		assertThat(logs(LogsRequest.newBuilder().setStdout(true).setStderr(true).setTail(-1).setSinceUnixNano(third),
				"logs1"))
			.as("since is inclusive")
			.isEqualTo(all.stream().filter((r) -> r.getTimeUnixNano() >= third).toList())
			.contains(all.get(2));
		assertThat(logs(LogsRequest.newBuilder().setStdout(true).setStderr(true).setTail(-1).setFollow(true), "logs1"))
			.as("a follow of a stopped container ends at the end of its log")
			.isEqualTo(all);
	}

	@Test
	void logsFollowEndsWhenTheContainerExitsWithEverythingItWrote() throws Exception {
		create("follow1", List.of("sh", "-c", "echo before; read line; echo after $line; echo gone >&2"),
				StdioConfig.newBuilder().setStdin(true).setLogPath("follow1-json.log").build(), (spec) -> {
				});
		AgentClient.Attached attached = this.client.attachWithStdin("follow1", "");
		start("follow1");
		Iterator<LogsResponse> follow = this.client.tasks.withDeadlineAfter(60, TimeUnit.SECONDS)
			.logs(LogsRequest.newBuilder()
				.setContainerId("follow1")
				.setStdout(true)
				.setStderr(true)
				.setTail(-1)
				.setFollow(true)
				.build());
		assertThat(follow.next().getData().toStringUtf8()).isEqualTo("before\n");
		// the container is still running, waiting for its stdin: the follow is too
		attached.writeStdin("now\n");
		List<String> rest = new ArrayList<>();
		follow.forEachRemaining((r) -> rest.add(r.getData().toStringUtf8()));
		assertThat(rest).containsExactlyInAnyOrder("after now\n", "gone\n");
	}

	@Test
	void logsOfAnUnknownContainerAreNotFoundInDockersWords() {
		AgentTestSupport.assertStatus(() -> logs(LogsRequest.newBuilder().setStdout(true).setTail(-1), "nope"), Status.Code.NOT_FOUND,
				"No such container: nope");
		AgentTestSupport.assertStatus(() -> logs(LogsRequest.newBuilder().setTail(-1), "nope"), Status.Code.INVALID_ARGUMENT,
				"You must choose at least one stream");
	}

	@Test
	void removeSnapshotDeletesTheContainersDirectoryWithoutFollowingLinks() throws Exception {
		runToExit("rm1", List.of("sh", "-c", "echo logged"));
		Path directory = this.properties.containers().resolve("rm1");
		Path outside = Files.writeString(EXEC_ROOT.resolve("outside"), "keep me");
		Files.createSymbolicLink(directory.resolve("link"), outside);
		Files.createSymbolicLink(directory.resolve("dirlink"), EXEC_ROOT);
		assertThat(directory.resolve("rm1-json.log")).exists();
		this.client.tasks.delete(DeleteRequest.newBuilder().setContainerId("rm1").build());
		var snapshots = SnapshotServiceGrpc.newBlockingStub(this.client.channel);
		snapshots.removeSnapshot(RemoveSnapshotRequest.newBuilder().setKey("rm1").build());
		assertThat(directory).doesNotExist();
		assertThat(Files.readString(outside)).isEqualTo("keep me");
		snapshots.removeSnapshot(RemoveSnapshotRequest.newBuilder().setKey("rm1").build());
		AgentTestSupport.assertStatus(() -> logs(LogsRequest.newBuilder().setStdout(true).setTail(-1), "rm1"), Status.Code.NOT_FOUND,
				"No such container: rm1");
	}

	@Test
	void dockersUserIsResolvedFromTheContainersOwnFiles() throws Exception {
		String script = "id; echo HOME=$HOME";
		assertThat(runAs("user1", "1000:tty", List.of("nogroup", "4242"), script))
			.isEqualTo("uid=1000 gid=5(tty) groups=5(tty),4242,65534(nogroup)\nHOME=/\n");
		assertThat(runAs("user2", "nobody", List.of(), script))
			.isEqualTo("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\nHOME=/\n");
		assertThat(runAs("user3", "", List.of(), script, (spec) -> {
		})).as("the spec's own user is kept as it is; HOME from passwd")
			.isEqualTo("uid=0(root) gid=0(root)\nHOME=/root\n");
		assertThat(runAs("user5", "", List.of("tty"), script,
				(spec) -> TestBundles.child(spec, "process").remove("user")))
			.as("no user anywhere: root, as Docker resolves it")
			.isEqualTo("uid=0(root) gid=0(root) groups=0(root),5(tty)\nHOME=/root\n");
		CreateRequest unknown = AgentTestSupport.create(EXEC_ROOT.resolve("b"), "user4", List.of("true"))
			.toBuilder()
			.setUser("nobody2")
			.build();
		AgentTestSupport.assertStatus(() -> this.client.tasks.create(unknown), Status.Code.INVALID_ARGUMENT,
				"unable to find user nobody2: no matching entries in passwd file");
		assertThat(this.properties.bundles().resolve("user4")).doesNotExist();
	}

	@Test
	void execTakesDockersUserToo() throws Exception {
		create("exec1", List.of("sleep", "1000"), StdioConfig.getDefaultInstance(), (spec) -> {
		});
		start("exec1");
		String process = Json.write(Json.obj("args", List.of("sh", "-c", "id; echo HOME=$HOME"), "cwd", "/", "env",
				List.of("PATH=/bin")));
		this.client.tasks.exec(ExecRequest.newBuilder()
			.setContainerId("exec1")
			.setExecId("e1")
			.setProcessJson(ByteString.copyFromUtf8(process))
			.setUser("nobody:tty")
			.build());
		AgentClient.Attached attached = this.client.attach("exec1", "e1", null);
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("exec1").setExecId("e1").build());
		assertThat(attached.stdout()).isEqualTo("uid=65534(nobody) gid=5(tty) groups=5(tty)\nHOME=/\n");
	}

	@Test
	void anExecAttachedBeforeItsStartReadsTheStdinSentAfterIt() throws Exception {
		create("exec2", List.of("sleep", "1000"), StdioConfig.getDefaultInstance(), (spec) -> {
		});
		start("exec2");
		String process = Json.write(Json.obj("args", List.of("sh", "-c", "cat; echo done"), "cwd", "/", "env",
				List.of("PATH=/bin")));
		this.client.tasks.exec(ExecRequest.newBuilder()
			.setContainerId("exec2")
			.setExecId("e2")
			.setProcessJson(ByteString.copyFromUtf8(process))
			.setStdio(StdioConfig.newBuilder().setStdin(true))
			.build());
		// docker exec -i: the attachment comes first, the exec's process (and its stdin) only at the start
		AgentClient.Attached attached = this.client.attachWithStdin("exec2", "e2");
		this.client.tasks.start(StartRequest.newBuilder().setContainerId("exec2").setExecId("e2").build());
		attached.writeStdin("piped in\n");
		attached.requests().onNext(AttachRequest.newBuilder().setCloseStdin(true).build());
		assertThat(attached.stdout()).isEqualTo("piped in\ndone\n");
	}

	@Test
	void topListsTheContainersProcessesAsPsShowsThem() throws Exception {
		create("top1", List.of("sleep", "1000"), StdioConfig.getDefaultInstance(), (spec) -> {
		});
		int pid = start("top1");
		TopResponse top = this.client.tasks.top(TopRequest.newBuilder().setContainerId("top1").build());
		assertThat(top.getTitlesList()).containsExactly("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
		assertThat(top.getProcessesList()).singleElement().satisfies((p) -> {
			assertThat(p.getFieldsList()).hasSize(8);
			assertThat(p.getFields(1)).isEqualTo(Integer.toString(pid));
			assertThat(p.getFields(7)).isEqualTo("sleep 1000");
		});
		TopResponse custom = this.client.tasks.top(
				TopRequest.newBuilder().setContainerId("top1").setPsArgs("-o pid,comm").build());
		assertThat(custom.getTitlesList()).containsExactly("PID", "COMMAND");
		assertThat(custom.getProcessesList()).singleElement()
			.satisfies((p) -> assertThat(p.getFieldsList()).containsExactly(Integer.toString(pid), "sleep"));

		AgentTestSupport.assertStatus(() -> this.client.tasks.top(TopRequest.newBuilder().setContainerId("top1").setPsArgs("-o comm").build()),
				Status.Code.INTERNAL, "Couldn't find PID field in ps output");
		AgentTestSupport.assertStatus(() -> this.client.tasks.top(TopRequest.newBuilder().setContainerId("top1").setPsArgs("--nope").build()),
				Status.Code.INTERNAL, "ps: ");
		AgentTestSupport.assertStatus(() -> this.client.tasks.top(TopRequest.newBuilder().setContainerId("top1").setPsArgs("-o user=PID").build()),
				Status.Code.INVALID_ARGUMENT, "specifying \"user=PID\" is not allowed");
		this.client.tasks.kill(KillRequest.newBuilder().setContainerId("top1").setSignal(9).build());
		this.client.tasks.wait(WaitRequest.newBuilder().setContainerId("top1").build());
		AgentTestSupport.assertStatus(() -> this.client.tasks.top(TopRequest.newBuilder().setContainerId("top1").build()),
				Status.Code.FAILED_PRECONDITION, "container top1 is not running");
		AgentTestSupport.assertStatus(() -> this.client.tasks.top(TopRequest.newBuilder().setContainerId("nope").build()),
				Status.Code.NOT_FOUND, "No such container: nope");
	}

	private String runAs(String id, String user, List<String> groupAdd, String script) throws Exception {
		return runAs(id, user, groupAdd, script, (spec) -> TestBundles.child(spec, "process")
			.put("user", Json.obj("uid", 12345, "gid", 12345)));
	}

	private String runAs(String id, String user, List<String> groupAdd, String script,
			Consumer<Map<String, Object>> spec) throws Exception {
		CreateRequest request = AgentTestSupport
			.create(EXEC_ROOT.resolve("b"), id, List.of("sh", "-c", script), StdioConfig.getDefaultInstance(), spec)
			.toBuilder()
			.setUser(user)
			.addAllGroupAdd(groupAdd)
			.build();
		this.containers.add(id);
		this.client.tasks.create(request);
		AgentClient.Attached attached = this.client.attach(id, "", null);
		start(id);
		return attached.stdout();
	}

	/** Runs a container logging to its directory until it exits. */
	private void runToExit(String id, List<String> args) throws Exception {
		create(id, args, StdioConfig.newBuilder().setLogPath(id + "-json.log").build(), (spec) -> {
		});
		start(id);
		this.client.tasks.wait(WaitRequest.newBuilder().setContainerId(id).build());
	}

	private void create(String id, List<String> args, StdioConfig stdio, Consumer<Map<String, Object>> spec)
			throws IOException {
		this.containers.add(id);
		this.client.tasks.create(AgentTestSupport.create(EXEC_ROOT.resolve("b"), id, args, stdio, spec));
	}

	private int start(String id) {
		return this.client.tasks.start(StartRequest.newBuilder().setContainerId(id).build()).getPid();
	}

	private List<LogsResponse> logs(LogsRequest.Builder request, String id) {
		List<LogsResponse> responses = new ArrayList<>();
		this.client.tasks.withDeadlineAfter(60, TimeUnit.SECONDS)
			.logs(request.setContainerId(id).build())
			.forEachRemaining(responses::add);
		return responses;
	}

	private static ContainerFile file(String name, String content, String target, boolean readOnly) {
		return ContainerFile.newBuilder()
			.setName(name)
			.setContent(ByteString.copyFromUtf8(content))
			.setTarget(target)
			.setReadOnly(readOnly)
			.build();
	}

}
