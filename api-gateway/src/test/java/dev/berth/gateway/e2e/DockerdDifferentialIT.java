package dev.berth.gateway.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.berth.gateway.testing.BerthdProcess;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.DockerdProcess;
import dev.berth.gateway.testing.LocalRegistry;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same requests to berthd and to Debian's dockerd (20.10, API 1.41), both pulling busybox through the same
 * registry mirror, and their answers compared field by field, leaving out what differs by nature (IDs, times, paths,
 * process ids). Then the same docker-py script (Debian's python3-docker) against each.
 */
class DockerdDifferentialIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	// the newest version both speak
	private static final String API = "/v1.41";

	private static final String CREATE = """
			{"Image": "busybox", "Cmd": ["sh", "-c", "exit 3"], "Env": ["FOO=bar"], "Labels": {"team": "berth"}}""";

	private static LocalRegistry registry;

	private static BerthdProcess berthd;

	private static DockerdProcess dockerd;

	@BeforeAll
	static void start() throws Exception {
		registry = LocalRegistry.start();
		registry.push("busybox", "library/busybox:latest");
		String mirror = "http://" + registry.reference("").replaceAll("/$", "");
		dockerd = DockerdProcess.start(mirror, registry.reference("").replaceAll("/$", ""));
		berthd = BerthdProcess.start("--registry-mirror", mirror);
		dockerd.docker("pull", "-q", "busybox").ok();
		berthd.docker("pull", "-q", "busybox").ok();
	}

	@AfterAll
	static void stop() throws Exception {
		try (LocalRegistry r = registry; DockerdProcess d = dockerd; BerthdProcess b = berthd) {
			// each closed, the last opened first, whatever fails
		}
	}

	@AfterEach
	void removeContainers() throws IOException {
		for (Path socket : sockets()) {
			new UnixHttp(socket).send("DELETE", API + "/containers/differential?force=1", Map.of(), new byte[0]);
		}
	}

	@Test
	void createdContainersInspectAlike() throws IOException {
		List<JsonNode> inspected = both((http) -> {
			assertThat(post(http, "/containers/create?name=differential", CREATE).status()).isEqualTo(201);
			return json(http.get(API + "/containers/differential/json"));
		});
		JsonNode berth = inspected.get(0);
		JsonNode docker = inspected.get(1);
		assertSame(berth, docker, "Name", "Path", "Args", "RestartCount", "Driver", "Platform", "ExecIDs");
		assertSame(berth.get("State"), docker.get("State"), fieldNames(docker.get("State")));
		Set<String> config = fieldNames(docker.get("Config"));
		// the short id, different by nature
		config.remove("Hostname");
		assertSame(berth.get("Config"), docker.get("Config"), config);
		assertSame(berth.get("HostConfig"), docker.get("HostConfig"), "Binds", "ContainerIDFile", "LogConfig",
				"NetworkMode", "PortBindings", "RestartPolicy", "AutoRemove", "VolumeDriver", "VolumesFrom",
				"ConsoleSize", "CapAdd", "CapDrop", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd",
				"IpcMode", "Links", "OomScoreAdj", "PidMode", "Privileged", "PublishAllPorts", "ReadonlyRootfs",
				"SecurityOpt", "UTSMode", "UsernsMode", "ShmSize", "CpuShares", "Memory", "NanoCpus", "CgroupParent",
				"MemorySwap", "MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits", "Devices");
	}

	@Test
	void summariesWaitBodiesAndErrorsAlike() throws IOException {
		List<JsonNode> answers = both((http) -> {
			post(http, "/containers/create?name=differential", CREATE);
			JsonNode created = summary(http);
			assertThat(post(http, "/containers/differential/start", "").status()).isEqualTo(204);
			UnixHttp.Response wait = post(http, "/containers/differential/wait", "");
			JsonNode exited = summary(http);
			UnixHttp.Response unknown = http.get(API + "/containers/nope/json");
			UnixHttp.Response conflict = post(http, "/containers/create?name=differential", CREATE);
			UnixHttp.Response unknownExec = http.get(API + "/exec/nope/json");
			Map<String, Object> all = new LinkedHashMap<>();
			all.put("created", created);
			all.put("exited", exited);
			all.put("wait", statusAndBody(wait));
			all.put("unknown", statusAndBody(unknown));
			all.put("conflict", statusAndBody(conflict));
			all.put("unknownExec", statusAndBody(unknownExec));
			return JSON.valueToTree(all);
		});
		JsonNode berth = answers.get(0);
		JsonNode docker = answers.get(1);
		for (String summary : List.of("created", "exited")) {
			assertThat(fieldNames(berth.get(summary))).as(summary + " fields").containsAll(fieldNames(docker.get(summary)));
			assertSame(berth.get(summary), docker.get(summary), "Names", "Image", "Command", "Labels", "State",
					"HostConfig", "Ports", "Mounts");
		}
		assertThat(berth.get("exited").get("Status").asString()).startsWith("Exited (3) ");
		assertThat(docker.get("exited").get("Status").asString()).startsWith("Exited (3) ");
		assertThat(berth.get("wait")).isEqualTo(docker.get("wait"));
		assertThat(berth.get("unknown")).isEqualTo(docker.get("unknown"));
		assertThat(berth.get("unknownExec")).isEqualTo(docker.get("unknownExec"));
		// dockerd 20.10 names the container by its id; the status and the name in quotes are what clients read
		assertThat(berth.get("conflict").get("status")).isEqualTo(docker.get("conflict").get("status"));
		assertThat(berth.get("conflict").get("body").get("message").asString())
			.startsWith("Conflict. The container name \"/differential\" is already in use by container");
	}

	@Test
	void execInspectAlike() throws IOException {
		List<JsonNode> execs = both((http) -> {
			post(http, "/containers/create?name=differential", "{\"Image\": \"busybox\", \"Cmd\": [\"sleep\", \"300\"]}");
			post(http, "/containers/differential/start", "");
			String id = json(post(http, "/containers/differential/exec",
					"{\"Cmd\": [\"sh\", \"-c\", \"exit 4\"], \"User\": \"nobody\", \"AttachStdout\": true}")).get("Id")
				.asString();
			JsonNode before = json(http.get(API + "/exec/" + id + "/json"));
			post(http, "/exec/" + id + "/start", "{\"Detach\": false}");
			JsonNode after = json(http.get(API + "/exec/" + id + "/json"));
			return JSON.valueToTree(Map.of("before", before, "after", after));
		});
		for (String when : List.of("before", "after")) {
			JsonNode berth = execs.get(0).get(when);
			JsonNode docker = execs.get(1).get(when);
			assertSame(berth, docker, "Running", "ExitCode", "ProcessConfig", "OpenStdin", "OpenStderr", "OpenStdout",
					"CanRemove", "DetachKeys");
		}
		assertThat(execs.get(0).get("after").get("ExitCode").asInt()).isEqualTo(4);
	}

	@Test
	void dockerPyRunsTheSameScriptOnBoth() {
		Path script = Commands.repositoryRoot().resolve("api-gateway/src/test/resources/e2e/docker_py_flows.py");
		for (Map<String, String> environment : List.of(berthd.clientEnvironment(), dockerd.clientEnvironment())) {
			Commands.Result run = Commands.run(List.of("/usr/bin/python3", script.toString()), environment);
			assertThat(run.exitCode()).as(environment.get("DOCKER_HOST") + "\n" + run.stdout() + run.stderr()).isZero();
			assertThat(run.stdout()).endsWith("passed\n");
		}
	}

	@FunctionalInterface
	private interface Exchange {

		JsonNode with(UnixHttp http) throws IOException;

	}

	/** The same exchange with berthd, then with dockerd. */
	private static List<JsonNode> both(Exchange exchange) throws IOException {
		List<JsonNode> answers = new java.util.ArrayList<>();
		for (Path socket : sockets()) {
			answers.add(exchange.with(new UnixHttp(socket)));
		}
		return answers;
	}

	private static List<Path> sockets() {
		return List.of(berthd.socket(), dockerd.socket());
	}

	private static JsonNode summary(UnixHttp http) throws IOException {
		for (JsonNode container : json(http.get(API + "/containers/json?all=1"))) {
			if (container.get("Names").get(0).asString().equals("/differential")) {
				return container;
			}
		}
		throw new AssertionError("no /differential in the list");
	}

	private static Map<String, Object> statusAndBody(UnixHttp.Response response) {
		return Map.of("status", response.status(), "body", JSON.readTree(response.text()));
	}

	private static void assertSame(JsonNode berth, JsonNode docker, String... fields) {
		assertSame(berth, docker, new TreeSet<>(List.of(fields)));
	}

	private static void assertSame(JsonNode berth, JsonNode docker, Set<String> fields) {
		for (String field : fields) {
			if (Set.of("StartedAt", "FinishedAt", "Pid").contains(field)) {
				assertThat(berth.has(field)).as(field).isTrue();
				continue;
			}
			assertThat(berth.get(field)).as(field + " (dockerd: " + docker.get(field) + ")").isEqualTo(docker.get(field));
		}
	}

	private static Set<String> fieldNames(JsonNode node) {
		return new TreeSet<>(node.propertyNames());
	}

	private static JsonNode json(UnixHttp.Response response) {
		return JSON.readTree(response.text());
	}

	private static UnixHttp.Response post(UnixHttp http, String path, String json) throws IOException {
		return http.send("POST", API + path, Map.of("Content-Type", "application/json"),
				json.getBytes(StandardCharsets.UTF_8));
	}

}
