package dev.berth.lifecycle.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.container.ContainerConfig;
import dev.berth.lifecycle.container.HostConfig;

/**
 * Runs generated specs in the reference runtime, crun, as root: a bundle whose rootfs is
 * Debian's static busybox, the container files bind-mounted as the node does, and the
 * container's own view checked from inside: Docker's capabilities, the seccomp filter (user
 * namespaces refused, unless the container is unconfined), masked /proc files, its host name,
 * environment, /etc/hosts and memory limit.
 */
@Tag("privileged")
class SpecRunsInCrunTests {

	private static final Path BUSYBOX = Path.of("/bin/busybox");

	/** Docker's 14 default capabilities as the kernel shows the effective set. */
	private static final String DOCKER_CAP_EFF = "00000000a80425fb";

	private static final long MEMORY = 64L << 20;

	private static final String CGROUP_ROOT = "/sys/fs/cgroup";

	private static final String UNIFIED = CGROUP_ROOT + "/unified";

	private final List<String> created = new ArrayList<>();

	private Path work;

	private Path state;

	private String cgroupParent;

	@BeforeEach
	void prepare() throws IOException {
		this.work = Files.createTempDirectory("berth-spec-");
		this.state = Files.createDirectories(this.work.resolve("crun-state"));
		this.cgroupParent = "berth-spec-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
	}

	@AfterEach
	void cleanUp() throws Exception {
		for (String id : this.created) {
			run(crun("delete", "--force", id));
		}
		// crun removes a container's cgroup on delete, not the parent it created for it
		try (Stream<Path> controllers = Files.list(Path.of(CGROUP_ROOT))) {
			for (Path controller : controllers.toList()) {
				Files.deleteIfExists(controller.resolve(this.cgroupParent));
			}
		}
		try (Stream<Path> files = Files.walk(this.work)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
	}

	@Test
	void aDefaultContainerHasDockersConfinement() throws Exception {
		String script = String.join("; ", "grep -E '^(CapEff|Seccomp|NoNewPrivs):' /proc/self/status",
				"echo kcore-bytes=$(cat /proc/kcore | wc -c)", "echo hostname=$(hostname)",
				"echo env=$GREETING,$HOSTNAME,$PATH", "cat /etc/hosts", "cat /etc/hostname",
				// cgroup v1 shows the limit in the memory hierarchy, v2 (a private cgroup namespace) at its root
				"echo memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)",
				"unshare -U true 2>&1; echo userns=$?", "unshare -m true 2>&1; echo mountns=$?",
				"echo sysrq > /proc/sysrq-trigger 2>&1; echo procsys=$?");
		ObjectNode config = SpecFixtures.json("{'Env': ['GREETING=hello']}");
		config.set("Cmd", SpecJson.strings(List.of("sh", "-c", script)));
		String output = runContainer(config,
				SpecFixtures.json("{'NetworkMode': 'none', 'Memory': " + MEMORY + ", 'ExtraHosts': ['db:10.1.2.3']}"));
		String id = this.created.getLast();
		assertThat(output).contains("CapEff:\t" + DOCKER_CAP_EFF, "Seccomp:\t2", "NoNewPrivs:\t0")
			.contains("kcore-bytes=0")
			.contains("hostname=" + id.substring(0, 12))
			.contains("env=hello," + id.substring(0, 12) + ",/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
			.contains("127.0.0.1\tlocalhost\n", "10.1.2.3\tdb\n")
			.contains("\n" + id.substring(0, 12) + "\n")
			.contains("memory=" + MEMORY)
			// the default profile refuses namespaces to a container without CAP_SYS_ADMIN
			.contains("Operation not permitted", "userns=1", "mountns=1")
			.contains("procsys=1");
	}

	@Test
	void anUnconfinedContainerMayCreateAUserNamespace() throws Exception {
		ObjectNode config = SpecFixtures.json("{}");
		config.set("Cmd", SpecJson.strings(List.of("sh", "-c",
				"grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; unshare -U true; echo userns=$?")));
		String output = runContainer(config,
				SpecFixtures.json("{'NetworkMode': 'none', 'SecurityOpt': ['seccomp=unconfined', 'no-new-privileges']}"));
		// what the default profile refused above is the filter's doing: without it the kernel allows it
		assertThat(output).contains("Seccomp:\t0", "NoNewPrivs:\t1", "userns=0");
	}

	/** Creates a bundle for the spec of these Docker objects, runs it to its end, returns its output. */
	private String runContainer(ObjectNode config, ObjectNode hostConfig) throws Exception {
		String id = HexFormat.of().formatHex(randomBytes(32));
		hostConfig.put("CgroupParent", this.cgroupParent);
		ContainerSpec result = new SpecFactory(HostFacts.local()).create(SpecFixtures.view(config, ContainerConfig.class),
				SpecFixtures.view(hostConfig, HostConfig.class), id);
		Path bundle = Files.createDirectories(this.work.resolve(id.substring(0, 12)));
		buildRootfs(bundle.resolve("rootfs"));
		ObjectNode spec = result.spec();
		ArrayNode mounts = (ArrayNode) spec.get("mounts");
		Path files = Files.createDirectories(bundle.resolve("files"));
		// what the node does with the container files: write them, bind-mount them
		for (MountedFile file : result.files()) {
			Path written = Files.write(files.resolve(file.name()), file.content());
			ObjectNode mount = mounts.addObject()
				.put("destination", file.target())
				.put("type", "bind")
				.put("source", written.toString());
			mount.set("options", SpecJson.strings(file.readOnly() ? List.of("rbind", "ro", "rprivate")
					: List.of("rbind", "rprivate")));
		}
		Files.write(bundle.resolve("config.json"), SpecJson.MAPPER.writeValueAsBytes(spec));
		this.created.add(id);
		ProcessResult run = run(crun("run", "--bundle", bundle.toString(), id));
		assertThat(run.exitCode()).as(run.output()).isZero();
		return run.output();
	}

	/**
	 * crun refuses a host that mounts cgroup v2 next to v1 ("hybrid mode"), as this one does
	 * for systemd: it runs in a private mount namespace without the v2 mount.
	 */
	private List<String> crun(String... arguments) {
		String command = "crun --root " + this.state + " " + String.join(" ", arguments);
		return List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
				"if mountpoint -q " + UNIFIED + "; then umount " + UNIFIED + "; fi; exec " + command);
	}

	private static void buildRootfs(Path rootfs) throws IOException, InterruptedException {
		Path bin = Files.createDirectories(rootfs.resolve("bin"));
		for (String directory : List.of("proc", "sys", "dev", "etc", "tmp", "mnt", "root")) {
			Files.createDirectories(rootfs.resolve(directory));
		}
		for (String file : List.of("etc/hostname", "etc/hosts", "etc/resolv.conf")) {
			Files.createFile(rootfs.resolve(file));
		}
		Files.copy(BUSYBOX, bin.resolve("busybox"));
		for (String applet : run(List.of(BUSYBOX.toString(), "--list")).output().split("\n")) {
			if (!applet.isBlank() && !Files.exists(bin.resolve(applet.strip()))) {
				Files.createSymbolicLink(bin.resolve(applet.strip()), Path.of("busybox"));
			}
		}
	}

	private record ProcessResult(int exitCode, String output) {
	}

	private static ProcessResult run(List<String> command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		// a guard against a hung runtime, not a measurement
		if (!process.waitFor(2, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new IllegalStateException(command + " did not finish: " + output);
		}
		return new ProcessResult(process.exitValue(), output);
	}

	private static byte[] randomBytes(int count) {
		byte[] bytes = new byte[count];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

}
