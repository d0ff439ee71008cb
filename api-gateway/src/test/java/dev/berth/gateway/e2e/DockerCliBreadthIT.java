package dev.berth.gateway.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.berth.gateway.testing.BerthdProcess;
import dev.berth.gateway.testing.Certificates;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.LocalRegistry;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stock docker CLI across what a user does with containers, against {@code bin/berthd} and real containers: run's
 * flags and exit codes, commit, logs, attach, exec, the state operations, restart policies, health checks, events,
 * errors, TLS, and a restart of berthd. One berthd for the class (on a unix socket and a mutual-TLS TCP port); each test
 * removes the containers it made, and the berthd restart comes last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerCliBreadthIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static Path directory;

	private static LocalRegistry registry;

	private static BerthdProcess berthd;

	private static Certificates.Authority authority;

	private static Certificates.Issued client;

	private static String tcpHost;

	@BeforeAll
	static void start() throws Exception {
		directory = Files.createTempDirectory("berth-e2e-breadth-");
		authority = Certificates.authority("berth-e2e-ca");
		Path ca = authority.write(directory);
		Certificates.Issued server = authority.server(directory.resolve("server"));
		client = authority.client(directory.resolve("client"));
		tcpHost = "tcp://127.0.0.1:" + freePort();
		registry = LocalRegistry.start();
		registry.push("busybox", "library/busybox:latest");
		berthd = BerthdProcess.start("--registry-mirror", "http://" + registry.reference("").replaceAll("/$", ""),
				"-H", tcpHost, "--tlsverify", "--tlscacert", ca.toString(), "--tlscert",
				server.certificate().toString(), "--tlskey", server.key().toString());
		berthd.docker("pull", "-q", "busybox").ok();
	}

	@AfterAll
	static void stop() throws Exception {
		try {
			if (berthd != null) {
				berthd.close();
			}
		}
		finally {
			try {
				if (registry != null) {
					registry.close();
				}
			}
			finally {
				Commands.deleteRecursively(directory);
			}
		}
	}

	@Test
	@Order(1)
	void runRemoveReturnsTheExitCodeAndDockersCodesForCommandsThatCannotRun() {
		assertThat(berthd.docker("run", "--rm", "busybox", "true").exitCode()).isZero();
		assertThat(berthd.docker("run", "--rm", "busybox", "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
		Commands.Result missing = berthd.docker("run", "--rm", "busybox", "nosuch");
		assertThat(missing.exitCode()).isEqualTo(127);
		assertThat(missing.stderr()).contains("exec: \"nosuch\": executable file not found in $PATH");
		Commands.Result notExecutable = berthd.docker("run", "--rm", "busybox", "/etc/passwd");
		assertThat(notExecutable.exitCode()).isEqualTo(126);
		assertThat(notExecutable.stderr()).contains("exec: \"/etc/passwd\": permission denied");
		Commands.Result absent = berthd.docker("run", "--rm", "busybox", "/no/such/file");
		assertThat(absent.exitCode()).isEqualTo(127);
		assertThat(absent.stderr()).contains("no such file or directory");
		// every one of them removed, even those that never ran
		assertThat(berthd.docker("ps", "-aq").ok()).isEmpty();
	}

	@Test
	@Order(2)
	void runFlagsReachTheProcess() {
		assertThat(berthd.docker("run", "--rm", "-e", "FOO=bar", "-w", "/tmp", "-u", "nobody", "--name", "flags",
				"--hostname", "berthbox", "busybox", "sh", "-c", "echo $FOO $(pwd) $(id -u):$(id -g) $(hostname)")
			.ok()).isEqualTo("bar /tmp 65534:65534 berthbox\n");
		assertThat(berthd.docker("run", "--rm", "--entrypoint", "echo", "busybox", "from", "entrypoint").ok())
			.isEqualTo("from entrypoint\n");
		assertThat(berthd.shell("printf 'one\\ntwo\\n' | docker run --rm -i busybox wc -l").ok().strip()).isEqualTo("2");
	}

	@Test
	@Order(3)
	void updateChangesLimitsInPlaceAndPruneRemovesWhatIsStoppedReportingItsSize() {
		try {
			berthd.docker("run", "-d", "--name", "limited", "-m", "64m", "busybox", "sleep", "300").ok();
			assertThat(inspect("limited", "{{.HostConfig.MemorySwap}}")).as("dockerd's default, stored").isEqualTo("134217728");
			berthd.docker("update", "-m", "96m", "--cpus", "0.5", "--pids-limit", "40", "--restart", "on-failure:2",
					"limited").ok();
			assertThat(inspect("limited", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} "
					+ "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}"))
				.isEqualTo("100663296 500000000 40 on-failure:2");
			// the running container's own cgroups, as it sees them
			assertThat(berthd.docker("exec", "limited", "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
					"/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/pids/pids.max").ok())
				.isEqualTo("100663296\n50000\n40\n");
			Commands.Result refused = berthd.docker("update", "-m", "512m", "limited");
			assertThat(refused.exitCode()).isNotZero();
			assertThat(refused.stderr()).contains("Memory limit should be smaller than already set memoryswap limit");
			assertThat(berthd.docker("update", "--cpu-quota", "20000", "limited").stderr())
				.contains("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
			assertThat(inspect("limited", "{{.HostConfig.Memory}}")).isEqualTo("100663296");

			berthd.docker("run", "--name", "wrote", "--label", "keep=no", "busybox", "sh", "-c",
					"head -c 300000 /dev/zero > /payload").ok();
			berthd.docker("create", "--name", "kept", "--label", "keep=yes", "busybox", "true").ok();
			assertThat(berthd.docker("ps", "-as", "--filter", "name=wrote", "--format", "{{.Size}}").ok())
				.startsWith("300kB (virtual ");
			assertThat(inspect("wrote", "{{.SizeRw}}")).as("only asked for").isEqualTo("<nil>");
			assertThat(berthd.docker("inspect", "-s", "--format", "{{.SizeRw}}", "wrote").ok().strip()).isEqualTo("300000");
			String wrote = inspectId("wrote");
			String pruned = berthd.docker("container", "prune", "-f", "--filter", "label!=keep=yes").ok();
			assertThat(pruned).contains(wrote).contains("Total reclaimed space: 300kB");
			assertThat(berthd.docker("ps", "-a", "--format", "{{.Names}}").ok().lines().toList())
				.contains("kept", "limited")
				.doesNotContain("wrote");
		}
		finally {
			berthd.docker("rm", "-f", "limited", "kept", "wrote");
		}
	}

	@Test
	@Order(16)
	void commitMakesAnImageOfWhatTheContainerChanged() {
		try {
			berthd.docker("run", "--name", "changed", "busybox", "sh", "-c", "echo made > /made && rm /bin/ls").ok();
			String id = berthd.docker("commit", "-c", "CMD [\"cat\",\"/made\"]", "-c", "ENV X=1", "-m", "msg", "-a", "me",
					"changed", "repo/x:1").ok().strip();
			assertThat(id).matches("sha256:[0-9a-f]{64}");
			assertThat(berthd.docker("run", "--rm", "repo/x:1").ok()).isEqualTo("made\n");
			// the whiteout in the layer hides the image's file; the changes are in the config
			assertThat(berthd.docker("run", "--rm", "repo/x:1", "sh", "-c", "test -e /bin/ls || echo gone $X").ok())
				.isEqualTo("gone 1\n");

			String busybox = berthd.docker("image", "inspect", "--format", "{{.Id}}", "busybox").ok().strip();
			JsonNode image = JSON.readTree(berthd.docker("image", "inspect", "repo/x:1").ok()).get(0);
			assertThat(image.get("Id").asString()).isEqualTo(id);
			assertThat(image.get("Comment").asString()).isEqualTo("msg");
			assertThat(image.get("Author").asString()).isEqualTo("me");
			assertThat(image.get("Parent").asString()).isEqualTo(busybox);
			assertThat(image.get("Config").get("Cmd").toString()).isEqualTo("[\"cat\",\"/made\"]");
			assertThat(image.get("Config").get("Env").toString()).contains("PATH=/usr/local/sbin:").contains("\"X=1\"");
			assertThat(image.get("RootFS").get("Layers")).hasSize(2);
			// API 1.50 leaves out what dockerd deprecated in 1.45
			assertThat(image.has("ContainerConfig")).isFalse();

			List<String> history = berthd.docker("history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Comment}}",
					"repo/x:1").ok().lines().toList();
			assertThat(history.get(0)).isEqualTo(id + "|sh -c echo made > /made && rm /bin/ls|msg");
			assertThat(history.get(1)).startsWith(busybox + "|");

			// a running container is paused while its layer is read, and runs on
			berthd.docker("run", "-d", "--name", "live", "busybox", "sleep", "600").ok();
			berthd.docker("exec", "live", "sh", "-c", "echo live > /live").ok();
			long since = Instant.now().getEpochSecond() - 1;
			String live = berthd.docker("commit", "live", "repo/live").ok().strip();
			String until = Long.toString(Instant.now().getEpochSecond() + 1);
			assertThat(inspect("live", "{{.State.Status}}")).isEqualTo("running");
			assertThat(berthd.docker("run", "--rm", "repo/live", "cat", "/live").ok()).isEqualTo("live\n");
			assertThat(berthd.docker("events", "--since", Long.toString(since), "--until", until, "--filter", "container=live",
					"--filter", "event=pause", "--filter", "event=unpause", "--filter", "event=commit", "--format",
					"{{.Action}} {{index .Actor.Attributes \"imageID\"}} {{index .Actor.Attributes \"imageRef\"}}").ok())
				.isEqualTo("pause  \nunpause  \ncommit " + live + " repo/live:latest\n");
			assertThat(berthd.docker("commit", "nope").stderr()).contains("No such container: nope");
			assertThat(berthd.docker("commit", "-c", "RUN true", "live").stderr()).contains("run is not a valid change command");
		}
		finally {
			berthd.docker("rm", "-f", "changed", "live");
			berthd.docker("rmi", "repo/x:1", "repo/live");
		}
	}

	@Test
	@Order(4)
	void logsInterleaveStreamsInOrderAndHonourTimestampsSinceAndTail() {
		berthd.docker("run", "-d", "--name", "talker", "busybox", "sh", "-c",
				"echo o1; sleep 0.3; echo e1 >&2; sleep 0.3; echo o2; sleep 0.3; echo e2 >&2").ok();
		assertThat(berthd.docker("wait", "talker").ok().strip()).isEqualTo("0");
		// one pipe for both streams: the frames' order is the order they were written in
		assertThat(berthd.shell("docker logs talker 2>&1").ok()).isEqualTo("o1\ne1\no2\ne2\n");
		Commands.Result stamped = berthd.docker("logs", "--timestamps", "talker");
		List<String> lines = stamped.stdout().lines().toList();
		assertThat(lines).hasSize(2).allMatch((line) -> line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z o\\d"));
		Commands.Result tail = berthd.docker("logs", "--tail", "2", "talker");
		assertThat(tail.stdout()).isEqualTo("o2\n");
		assertThat(tail.stderr()).isEqualTo("e2\n");
		// since the second stdout line's own time: that line and what came after it
		String secondStamp = lines.get(1).substring(0, lines.get(1).indexOf(' '));
		assertThat(berthd.shell("docker logs --since " + secondStamp + " talker 2>&1").ok()).isEqualTo("o2\ne2\n");
		berthd.docker("rm", "talker").ok();

		berthd.docker("run", "-d", "--name", "follower", "busybox", "sh", "-c", "sleep 1; echo done").ok();
		assertThat(berthd.docker("logs", "-f", "follower").ok()).isEqualTo("done\n");
		berthd.docker("rm", "-f", "follower").ok();
	}

	@Test
	@Order(5)
	void attachAndDetachWithCtrlPCtrlQLeavesTheContainerRunning() {
		berthd.docker("run", "-dit", "--name", "attached", "busybox", "sh").ok();
		Commands.Result attach = berthd.dockerInTerminal("attach attached", (keys) -> {
			Eventually.pause(2000);
			keys.write("echo hello-$((6*7))\n".getBytes(StandardCharsets.US_ASCII));
			keys.flush();
			Eventually.pause(1000);
			keys.write(new byte[] { 0x10, 0x11 });
			keys.flush();
		});
		assertThat(attach.stdout()).contains("hello-42").contains("read escape sequence");
		assertThat(inspect("attached", "{{.State.Status}}")).isEqualTo("running");
		berthd.docker("rm", "-f", "attached").ok();
	}

	@Test
	@Order(6)
	void execRunsAsAskedAndReportsItsExitCode() throws IOException {
		berthd.docker("run", "-d", "--name", "target", "busybox", "sleep", "300").ok();
		assertThat(berthd.docker("exec", "-u", "nobody", "-w", "/tmp", "-e", "A=1", "target", "sh", "-c",
				"echo $(id -u) $(pwd) $A").ok()).isEqualTo("65534 /tmp 1\n");
		assertThat(berthd.docker("exec", "target", "sh", "-c", "exit 4").exitCode()).isEqualTo(4);
		Commands.Result missing = berthd.docker("exec", "target", "nosuch");
		assertThat(missing.exitCode()).as("dockerd's code for a process that cannot start").isEqualTo(126);
		assertThat(missing.stdout() + missing.stderr())
			.contains("OCI runtime exec failed: exec failed: unable to start container process: exec: \"nosuch\": "
					+ "executable file not found in $PATH");
		assertThat(berthd.docker("exec", "-w", "/not/there", "target", "true").exitCode()).isEqualTo(126);
		assertThat(berthd.shell("printf 'piped in\\n' | docker exec -i target sh -c 'cat; echo read all'").ok())
			.as("exec -i: stdin reaches the process, and its end is the process's EOF")
			.isEqualTo("piped in\nread all\n");
		Commands.Result tty = berthd.dockerInTerminal("exec -it target sh -c 'tty; exit 6'");
		assertThat(tty.exitCode()).as(tty.stdout() + tty.stderr()).isEqualTo(6);
		assertThat(tty.stdout()).matches("/dev/pts/\\d+\r\n");

		UnixHttp http = new UnixHttp(berthd.socket());
		String execId = JSON.readTree(post(http, "/containers/target/exec",
				"{\"Cmd\":[\"sh\",\"-c\",\"exit 9\"],\"AttachStdout\":true}").text()).get("Id").asString();
		assertThat(post(http, "/exec/" + execId + "/start", "{\"Detach\":false}").status()).isEqualTo(200);
		JsonNode exec = JSON.readTree(http.get("/exec/" + execId + "/json").text());
		assertThat(exec.get("ExitCode").asInt()).isEqualTo(9);
		assertThat(exec.get("Running").asBoolean()).isFalse();

		berthd.docker("stop", "-t", "0", "target").ok();
		Commands.Result stopped = berthd.docker("exec", "target", "true");
		assertThat(stopped.exitCode()).isNotZero();
		assertThat(stopped.stderr()).contains("is not running");
		berthd.docker("rm", "target").ok();
	}

	@Test
	@Order(7)
	void waitKillStopAndRestart() {
		berthd.docker("run", "-d", "--name", "trapper", "busybox", "sh", "-c",
				"trap 'echo got USR1; exit 9' USR1; while true; do sleep 0.1; done").ok();
		Eventually.poll("the trap is set", () -> berthd.docker("top", "trapper").stdout(), (top) -> top.contains("sleep"));
		berthd.docker("kill", "-s", "USR1", "trapper").ok();
		assertThat(berthd.docker("wait", "trapper").ok().strip()).isEqualTo("9");
		assertThat(berthd.docker("logs", "trapper").ok()).isEqualTo("got USR1\n");
		String firstStart = inspect("trapper", "{{.State.StartedAt}}");
		berthd.docker("restart", "-t", "1", "trapper").ok();
		assertThat(inspect("trapper", "{{.State.Status}} {{.RestartCount}}")).isEqualTo("running 0");
		assertThat(inspect("trapper", "{{.State.StartedAt}}")).isNotEqualTo(firstStart);
		// busybox sh ignores SIGTERM as PID 1 with no trap for it: the timeout's SIGKILL ends it
		berthd.docker("stop", "-t", "1", "trapper").ok();
		assertThat(inspect("trapper", "{{.State.Status}} {{.State.ExitCode}}")).isEqualTo("exited 137");
		berthd.docker("rm", "trapper").ok();
	}

	@Test
	@Order(8)
	void pauseFreezesTheProcessesAndTopAndStatsSeeThem() {
		berthd.docker("run", "-d", "--name", "counter", "busybox", "sh", "-c",
				"i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done").ok();
		Eventually.poll("the counter counts", () -> logLines("counter"), (lines) -> lines > 3);
		berthd.docker("pause", "counter").ok();
		assertThat(inspect("counter", "{{.State.Status}} {{.State.Paused}}")).isEqualTo("paused true");
		long frozen = logLines("counter");
		Eventually.pause(1000);
		assertThat(logLines("counter")).isEqualTo(frozen);
		assertThat(berthd.docker("exec", "counter", "true").stderr()).contains("is paused");
		berthd.docker("unpause", "counter").ok();
		Eventually.poll("the counter counts again", () -> logLines("counter"), (lines) -> lines > frozen);

		String top = berthd.docker("top", "counter").ok();
		assertThat(top).startsWith("UID").contains("while true");
		String stats = berthd.docker("stats", "--no-stream", "--format", "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}",
				"counter").ok().strip();
		String[] fields = stats.split("\\|");
		assertThat(fields[0]).isEqualTo("counter");
		assertThat(fields[1]).matches("\\d+\\.\\d\\d%");
		assertThat(fields[2]).matches("[1-9][\\d.]*[KMG]iB / [\\d.]+[KMG]iB");
		assertThat(Integer.parseInt(fields[3])).isBetween(1, 5);
		berthd.docker("rm", "-f", "counter").ok();
	}

	@Test
	@Order(9)
	void renameAndInspectShowTheMergedConfiguration() {
		berthd.docker("run", "-d", "--name", "before", "-e", "X=1", "busybox", "sleep", "300").ok();
		berthd.docker("rename", "before", "after").ok();
		JsonNode container = JSON.readTree(berthd.docker("inspect", "after").ok()).get(0);
		assertThat(container.get("Name").asString()).isEqualTo("/after");
		assertThat(container.get("Path").asString()).isEqualTo("sleep");
		assertThat(container.get("Args").toString()).isEqualTo("[\"300\"]");
		assertThat(container.get("RestartCount").asInt()).isZero();
		JsonNode state = container.get("State");
		assertThat(state.get("Status").asString()).isEqualTo("running");
		assertThat(state.get("Running").asBoolean()).isTrue();
		assertThat(state.get("Pid").asInt()).isPositive();
		JsonNode config = container.get("Config");
		assertThat(config.get("Image").asString()).isEqualTo("busybox");
		assertThat(config.get("Hostname").asString()).isEqualTo(container.get("Id").asString().substring(0, 12));
		// the image's PATH and labels, the run's variable
		assertThat(config.get("Env").toString()).contains("PATH=/usr/local/sbin:").contains("X=1");
		assertThat(config.get("Labels").get("dev.berth.fixture").asString()).isEqualTo("busybox");
		assertThat(config.get("Tty").asBoolean()).isFalse();
		JsonNode hostConfig = container.get("HostConfig");
		assertThat(hostConfig.get("LogConfig").get("Type").asString()).isEqualTo("json-file");
		assertThat(hostConfig.get("RestartPolicy").get("Name").asString()).isEqualTo("no");
		assertThat(hostConfig.get("AutoRemove").asBoolean()).isFalse();
		assertThat(hostConfig.get("Privileged").asBoolean()).isFalse();
		assertThat(container.get("LogPath").asString()).startsWith(berthd.dataRoot().toString()).endsWith("-json.log");
		berthd.docker("rm", "-f", "after").ok();
	}

	@Test
	@Order(10)
	void errorsAreDockers() throws IOException {
		berthd.docker("run", "-d", "--name", "busy", "busybox", "sleep", "300").ok();
		Commands.Result conflict = berthd.docker("create", "--name", "busy", "busybox");
		assertThat(conflict.stderr()).contains("Conflict. The container name \"/busy\" is already in use");
		assertThat(berthd.docker("inspect", "nope").stderr()).contains("No such object: nope");
		assertThat(berthd.docker("stop", "nope").stderr()).contains("No such container: nope");
		assertThat(berthd.docker("rm", "busy").stderr())
			.contains("container is running: stop the container before removing or force remove");
		Commands.Result again = berthd.docker("start", "busy");
		assertThat(again.exitCode()).isZero();
		assertThat(again.stdout()).isEqualTo("busy\n");

		UnixHttp http = new UnixHttp(berthd.socket());
		assertThat(post(http, "/containers/busy/start", "").status()).isEqualTo(304);
		UnixHttp.Response malformed = post(http, "/containers/create", "{\"Image\": \"busybox\", bad");
		assertThat(malformed.status()).isEqualTo(400);
		assertThat(JSON.readTree(malformed.text()).get("message").asString()).isNotBlank();
		UnixHttp.Response unknown = http.get("/v1.50/containers/nope/json");
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.text()).isEqualTo("{\"message\":\"No such container: nope\"}");
		assertThat(post(http, "/containers/create?name=busy", "{\"Image\":\"busybox\"}").status()).isEqualTo(409);
		assertThat(http.send("DELETE", "/containers/busy", Map.of(), new byte[0]).status()).isEqualTo(409);
		berthd.docker("rm", "-f", "busy").ok();
	}

	@Test
	@Order(11)
	void eventsBetweenSinceAndUntilWithDockersAttributesAndFilters() {
		long since = Instant.now().getEpochSecond() - 1;
		berthd.docker("run", "--rm", "--name", "eventful", "--label", "team=berth", "busybox", "sh", "-c", "exit 2");
		String until = Long.toString(Instant.now().getEpochSecond() + 1);
		List<String> events = berthd.docker("events", "--since", Long.toString(since), "--until", until, "--filter",
				"container=eventful", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} "
						+ "{{.Actor.Attributes.image}} {{.Actor.Attributes.team}} {{index .Actor.Attributes \"exitCode\"}}")
			.ok()
			.lines()
			.toList();
		assertThat(events).containsSubsequence("container create eventful busybox berth ",
				"container start eventful busybox berth ", "container die eventful busybox berth 2",
				"container destroy eventful busybox berth ");
		assertThat(berthd.docker("events", "--since", Long.toString(since), "--until", until, "--filter", "event=start",
				"--filter", "container=eventful", "--format", "{{.Action}}").ok()).isEqualTo("start\n");
	}

	@Test
	@Order(12)
	void healthChecksGoFromStartingToUnhealthyToHealthy() {
		long since = Instant.now().getEpochSecond() - 1;
		berthd.docker("run", "-d", "--name", "checked", "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s",
				"--health-retries", "2", "busybox", "sleep", "300").ok();
		assertThat(berthd.docker("ps", "--filter", "name=checked", "--format", "{{.Status}}").ok())
			.contains("(health: starting)");
		Eventually.poll("unhealthy", () -> inspect("checked", "{{.State.Health.Status}}"), "unhealthy"::equals);
		assertThat(berthd.docker("ps", "--filter", "health=healthy", "-q").ok()).isEmpty();
		berthd.docker("exec", "checked", "touch", "/tmp/ok").ok();
		Eventually.poll("healthy", () -> inspect("checked", "{{.State.Health.Status}}"), "healthy"::equals);
		assertThat(berthd.docker("ps", "--filter", "health=healthy", "--format", "{{.Names}} {{.Status}}").ok())
			.startsWith("checked Up ").contains("(healthy)");
		String until = Long.toString(Instant.now().getEpochSecond() + 1);
		assertThat(berthd.docker("events", "--since", Long.toString(since), "--until", until, "--filter",
				"event=health_status", "--format", "{{.Action}}").ok())
			.isEqualTo("health_status: unhealthy\nhealth_status: healthy\n");
		berthd.docker("rm", "-f", "checked").ok();
	}

	@Test
	@Order(13)
	void restartPoliciesRestartAsDockerDoes() {
		berthd.docker("run", "-d", "--name", "failing", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 1").ok();
		Eventually.poll("on-failure:2 gives up", () -> inspect("failing", "{{.State.Status}} {{.RestartCount}}"),
				"exited 2"::equals);
		assertThat(inspect("failing", "{{.State.ExitCode}}")).isEqualTo("1");

		berthd.docker("run", "-d", "--name", "always", "--restart", "always", "busybox", "sh", "-c", "sleep 0.5").ok();
		Eventually.poll("always restarts after an exit 0", () -> restartCount("always"), (count) -> count >= 2);
		berthd.docker("stop", "-t", "1", "always").ok();
		int stoppedAt = restartCount("always");
		assertThat(inspect("always", "{{.State.Status}}")).isEqualTo("exited");
		Eventually.pause(1500);
		assertThat(inspect("always", "{{.State.Status}} {{.RestartCount}}")).isEqualTo("exited " + stoppedAt);

		berthd.docker("run", "-d", "--name", "unless", "--restart", "unless-stopped", "busybox", "sh", "-c",
				"sleep 0.5; exit 3").ok();
		Eventually.poll("unless-stopped restarts", () -> restartCount("unless"), (count) -> count >= 1);
		berthd.docker("stop", "-t", "1", "unless").ok();
		assertThat(inspect("unless", "{{.State.Status}}")).isEqualTo("exited");
		// a forced removal kills a running container without its policy starting it again
		berthd.docker("start", "always").ok();
		berthd.docker("rm", "-f", "failing", "always", "unless").ok();
		assertThat(berthd.docker("ps", "-aq").ok()).isEmpty();
	}

	@Test
	@Order(14)
	void mutualTlsLetsInOnlyClientsWithACertificate() {
		Path ca = directory.resolve("ca.pem");
		assertThat(berthd.docker("-H", tcpHost, "--tlsverify", "--tlscacert", ca.toString(), "--tlscert",
				client.certificate().toString(), "--tlskey", client.key().toString(), "run", "--rm", "busybox", "echo",
				"over tls").ok()).isEqualTo("over tls\n");
		Commands.Result anonymous = berthd.docker("-H", tcpHost, "--tlsverify", "--tlscacert", ca.toString(), "ps");
		assertThat(anonymous.exitCode()).isNotZero();
		assertThat(anonymous.stderr()).containsAnyOf("certificate", "tls", "remote error");
		Commands.Result plain = berthd.docker("-H", tcpHost, "ps");
		assertThat(plain.exitCode()).isNotZero();
	}

	@Test
	@Order(15)
	void containersOutliveAnEngineRestartAndExitsWhileItIsDownAreRecorded() throws Exception {
		Path signals = Files.createDirectories(directory.resolve("signals"));
		String volume = signals + ":/signals";
		berthd.docker("run", "-d", "--name", "survivor", "busybox", "sh", "-c", "echo before; sleep 300").ok();
		berthd.docker("run", "-d", "--name", "leaver", "-v", volume, "busybox", "sh", "-c",
				"while [ ! -f /signals/go ]; do sleep 0.1; done; exit 4").ok();
		// an always container that ends while berthd is down, and runs for good once started again
		berthd.docker("run", "-d", "--name", "phoenix", "--restart", "always", "-v", volume, "busybox", "sh", "-c",
				"if [ -f /signals/go ]; then exec sleep 300; fi; while [ ! -f /signals/go ]; do sleep 0.1; done").ok();
		assertThat(berthd.stop()).isZero();
		Files.writeString(signals.resolve("go"), "");
		Eventually.poll("both containers end while berthd is down", () -> processesWatching(signals), (n) -> n == 0);
		berthd.restart();

		assertThat(berthd.docker("ps", "--filter", "name=survivor", "--format", "{{.State}}").ok()).isEqualTo("running\n");
		assertThat(berthd.docker("exec", "survivor", "echo", "still here").ok()).isEqualTo("still here\n");
		assertThat(berthd.docker("logs", "survivor").ok()).isEqualTo("before\n");
		assertThat(berthd.docker("ps", "-a", "--filter", "name=leaver", "--format", "{{.Status}}").ok())
			.startsWith("Exited (4)");
		Eventually.poll("the always container runs again", () -> inspect("phoenix", "{{.State.Status}}"),
				"running"::equals);
		assertThat(restartCount("phoenix")).isPositive();
		berthd.docker("rm", "-f", "survivor", "leaver", "phoenix").ok();
	}

	private static String inspect(String container, String format) {
		return berthd.docker("inspect", "--format", format, container).ok().strip();
	}

	private static String inspectId(String container) {
		return inspect(container, "{{.Id}}");
	}

	private static int restartCount(String container) {
		return Integer.parseInt(inspect(container, "{{.RestartCount}}"));
	}

	private static long logLines(String container) {
		return berthd.docker("logs", container).ok().lines().count();
	}

	/** Processes whose command line waits on {@code /signals/go} (the containers of the restart test). */
	private static long processesWatching(Path signals) {
		return ProcessHandle.allProcesses()
			.filter((process) -> process.info().commandLine().orElse("").contains("/signals/go"))
			.count();
	}

	private static UnixHttp.Response post(UnixHttp http, String path, String json) throws IOException {
		return http.send("POST", "/v1.50" + path, Map.of("Content-Type", "application/json"),
				json.getBytes(StandardCharsets.UTF_8));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
