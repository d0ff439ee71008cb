package dev.berth.gateway.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.berth.gateway.testing.BerthdProcess;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.LocalRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise end to end: {@code bin/berthd} as a user starts it (all four services and the
 * node shim), the stock docker CLI, real containers, and busybox from Docker Hub's name through a
 * registry mirror. The steps share one berthd and build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerRunIT {

	private static LocalRegistry registry;

	private static BerthdProcess berthd;

	@BeforeAll
	static void start() throws Exception {
		registry = LocalRegistry.start();
		registry.push("busybox", "library/busybox:latest");
		berthd = BerthdProcess.start("--registry-mirror", "http://" + registry.reference("").replaceAll("/$", ""));
	}

	@AfterAll
	static void stop() throws Exception {
		try {
			if (berthd != null) {
				berthd.close();
			}
		}
		finally {
			if (registry != null) {
				registry.close();
			}
		}
	}

	@Test
	@Order(1)
	void runRemovePullsThroughTheMirrorAndReturnsTheExitCode() {
		Commands.Result run = berthd.docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3");
		assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
		assertThat(run.stdout()).isEqualTo("out\n");
		assertThat(run.stderr()).contains("Unable to find image 'busybox:latest' locally").endsWith("err\n");
		assertThat(berthd.docker("ps", "-aq").ok()).isEmpty();
	}

	@Test
	@Order(2)
	void detachedContainerLogsAreFollowedUntilItExits() {
		String id = berthd.docker("run", "-d", "--name", "counter", "busybox", "sh", "-c",
				"for i in 1 2 3; do echo line $i; echo oops $i >&2; sleep 0.2; done").ok().strip();
		assertThat(id).matches("[0-9a-f]{64}");
		Commands.Result logs = berthd.docker("logs", "-f", "counter");
		assertThat(logs.stdout()).isEqualTo("line 1\nline 2\nline 3\n");
		assertThat(logs.stderr()).isEqualTo("oops 1\noops 2\noops 3\n");
		assertThat(berthd.docker("wait", "counter").ok().strip()).isEqualTo("0");
		assertThat(berthd.docker("ps", "-a", "--format", "{{.Names}} {{.Status}}").ok())
			.startsWith("counter Exited (0)");
		// the tail of the log as written, whatever the stream: the last line went to stderr
		Commands.Result tail = berthd.docker("logs", "--tail", "1", "counter");
		assertThat(tail.stdout()).isEmpty();
		assertThat(tail.stderr()).isEqualTo("oops 3\n");
		berthd.docker("rm", "counter").ok();
	}

	@Test
	@Order(3)
	void execRunsInTheContainerAndReportsItsExitCode() {
		String id = berthd.docker("run", "-d", "--name", "sleeper", "busybox", "sleep", "300").ok().strip();
		assertThat(berthd.docker("exec", "sleeper", "cat", "/etc/hostname").ok().strip())
			.isEqualTo(id.substring(0, 12));
		assertThat(berthd.docker("exec", "sleeper", "sh", "-c", "exit 7").exitCode()).isEqualTo(7);
		assertThat(berthd.docker("ps", "--format", "{{.Names}} {{.Status}}").ok()).startsWith("sleeper Up ");
		assertThat(berthd.docker("inspect", "--format", "{{.State.Running}} {{.Config.Cmd}}", "sleeper").ok().strip())
			.isEqualTo("true [sleep 300]");
	}

	@Test
	@Order(4)
	void errorsAreDockers() {
		Commands.Result conflict = berthd.docker("create", "--name", "sleeper", "busybox", "true");
		assertThat(conflict.exitCode()).isNotZero();
		assertThat(conflict.stderr()).contains("Conflict. The container name \"/sleeper\" is already in use");
		Commands.Result unknown = berthd.docker("rm", "nope");
		assertThat(unknown.stderr()).contains("No such container: nope");
		Commands.Result running = berthd.docker("rm", "sleeper");
		assertThat(running.stderr()).contains("container is running: stop the container before removing or force remove");
	}

	@Test
	@Order(5)
	void stopSendsSigtermThenSigkillAfterTheTimeout() {
		// busybox sleep as PID 1 has no SIGTERM handler, so the kernel ignores SIGTERM: SIGKILL ends it
		berthd.docker("stop", "-t", "1", "sleeper").ok();
		assertThat(berthd.docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "sleeper").ok().strip())
			.isEqualTo("exited 137");
		berthd.docker("rm", "sleeper").ok();
	}

	@Test
	@Order(6)
	void interactiveRunThroughAPseudoTerminal() {
		Commands.Result run = berthd.dockerInTerminal("run --rm -it busybox sh -c 'tty; exit 5'");
		assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(5);
		// only what the container wrote: no NUL echoed, which script(1) sends when its own input ends
		assertThat(run.stdout()).isEqualTo("/dev/pts/0\r\n");
	}

	@Test
	@Order(8)
	void copyDiffAndExportSeeTheContainersFiles() throws Exception {
		berthd.docker("run", "-d", "--name", "files", "busybox", "sleep", "300").ok();
		berthd.docker("exec", "files", "sh", "-c", "echo made inside > /made.txt; mkdir -p /data").ok();
		java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("berth-cp-");
		try {
			java.nio.file.Files.writeString(dir.resolve("in.txt"), "copied in\n");
			berthd.docker("cp", dir.resolve("in.txt").toString(), "files:/data/").ok();
			assertThat(berthd.docker("exec", "files", "cat", "/data/in.txt").ok()).isEqualTo("copied in\n");
			berthd.docker("cp", "files:/made.txt", dir.resolve("out.txt").toString()).ok();
			assertThat(dir.resolve("out.txt")).hasContent("made inside");
			Commands.Result missing = berthd.docker("cp", "files:/nope", dir.toString());
			assertThat(missing.stderr()).contains("Could not find the file /nope in container files");
			// only what the container did: the mount points the engine made are in its init layer, as in Docker
			assertThat(berthd.docker("diff", "files").ok().lines().toList())
				.containsExactlyInAnyOrder("A /made.txt", "A /data", "A /data/in.txt");
			berthd.docker("export", "-o", dir.resolve("export.tar").toString(), "files").ok();
			assertThat(Commands.ok("tar", "-tf", dir.resolve("export.tar").toString())).contains("made.txt", "bin/busybox");
		}
		finally {
			Commands.deleteRecursively(dir);
			berthd.docker("rm", "-f", "files");
		}
	}

	@Test
	@Order(7)
	void containersKeepRunningAcrossAnEngineRestart() throws Exception {
		berthd.docker("run", "-d", "--name", "survivor", "busybox", "sleep", "300").ok();
		assertThat(berthd.stop()).isZero();
		berthd.restart();
		assertThat(berthd.docker("ps", "--format", "{{.Names}} {{.State}}").ok().strip()).isEqualTo("survivor running");
		assertThat(berthd.docker("exec", "survivor", "echo", "still here").ok()).isEqualTo("still here\n");
		berthd.docker("rm", "-f", "survivor").ok();
		assertThat(berthd.docker("ps", "-a").ok()).doesNotContain("survivor");
	}

}
