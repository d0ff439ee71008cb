package dev.berth.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.runtime.TestBundles;
import dev.berth.runtime.TestRuntimes;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.spec.JsonObject;

/**
 * berth-runc's command line, beside runc's on the same bundle: same commands, same state
 * documents, same exit codes.
 */
@Tag("privileged")
class RuncCliTest {

	@TempDir
	Path temp;

	/** The foreground run's random ids ({@code fg-<pid>-<n>}); the others are fixed and reused. */
	private static final Pattern FOREGROUND_IDS = Pattern.compile("fg-\\d+-\\d+");

	@BeforeAll
	static void removeWhatAKilledRunLeft() {
		TestRuntimes.removeLeftoverCgroups(FOREGROUND_IDS);
	}

	@AfterAll
	static void removeParentCgroups() {
		TestRuntimes.removeLeftoverCgroups(FOREGROUND_IDS);
	}

	@Test
	void runReturnsTheContainersExitCode() throws IOException {
		Path bundle = TestBundles.busybox(this.temp.resolve("b"), List.of("sh", "-c", "exit 3"));
		Result result = berth("--root", this.temp.resolve("state").toString(), "run", "--bundle", bundle.toString(), "r1");
		assertThat(result.code()).isEqualTo(3);
		assertThat(berth("--root", this.temp.resolve("state").toString(), "list", "-q").stdout()).isEmpty();
	}

	@Test
	void runInTheForegroundForwardsSignalsToTheContainer() throws Exception {
		// the shell is PID 1 of its namespace: only a signal it traps reaches it
		Path bundle = TestBundles.busybox(this.temp.resolve("b"),
				List.of("sh", "-c", "trap 'exit 7' TERM; touch /tmp/ready; while :; do sleep 0.05; done"));
		String id = "fg-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
		String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process cli = new ProcessBuilder(javaBinary, "--enable-native-access=ALL-UNNAMED", "-cp",
				System.getProperty("java.class.path"), RuncCli.class.getName(), "--root",
				this.temp.resolve("state").toString(), "run", "--bundle", bundle.toString(), id)
			.redirectErrorStream(true)
			.start();
		try {
			Path ready = bundle.resolve("rootfs/tmp/ready");
			long deadline = System.nanoTime() + 30_000_000_000L;
			while (!Files.exists(ready) && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(ready).exists();
			assertThat(cli.isAlive()).as("berth-runc runs until its container ends").isTrue();
			Kernel.kill((int) cli.pid(), Kernel.SIGTERM);
			assertThat(cli.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
			assertThat(cli.exitValue()).as(new String(cli.getInputStream().readAllBytes())).isEqualTo(7);
			assertThat(berth("--root", this.temp.resolve("state").toString(), "list", "-q").stdout()).isEmpty();
		}
		finally {
			cli.destroyForcibly();
			berth("--root", this.temp.resolve("state").toString(), "delete", "--force", id);
		}
	}

	@Test
	void lifecycleStatesMatchRunc() throws Exception {
		Path bundle = TestBundles.busybox(this.temp.resolve("b"), List.of("sleep", "1000"));
		String berthRoot = this.temp.resolve("berth").toString();
		String runcRoot = this.temp.resolve("runc").toString();
		Path pidFile = this.temp.resolve("pid");
		assertThat(berth("--root", berthRoot, "create", "-b", bundle.toString(), "--pid-file", pidFile.toString(), "c1")
			.code()).isZero();
		assertThat(runc("--root", runcRoot, "create", "-b", bundle.toString(), "c1").code()).isZero();
		try {
			JsonObject berthState = state(berth("--root", berthRoot, "state", "c1"));
			JsonObject runcState = state(runc("--root", runcRoot, "state", "c1"));
			assertThat(berthState.fields().keySet()).containsAll(runcState.fields().keySet());
			assertThat(berthState.string("status", "")).isEqualTo(runcState.string("status", "")).isEqualTo("created");
			assertThat(berthState.integer("pid", 0)).isEqualTo(Long.parseLong(Files.readString(pidFile).trim()));
			assertThat(berthState.string("bundle", "")).isEqualTo(runcState.string("bundle", ""));

			assertThat(berth("--root", berthRoot, "start", "c1").code()).isZero();
			assertThat(runc("--root", runcRoot, "start", "c1").code()).isZero();
			assertThat(state(berth("--root", berthRoot, "state", "c1")).string("status", "")).isEqualTo("running")
				.isEqualTo(state(runc("--root", runcRoot, "state", "c1")).string("status", ""));

			Result berthPs = berth("--root", berthRoot, "ps", "--format", "json", "c1");
			assertThat(berthPs.stdout().trim()).isEqualTo("[" + Files.readString(pidFile).trim() + "]");

			// a second start, and delete of a running container: refused by both, with exit code 1
			assertThat(berth("--root", berthRoot, "start", "c1").code()).isEqualTo(1)
				.isEqualTo(runc("--root", runcRoot, "start", "c1").code());
			assertThat(berth("--root", berthRoot, "delete", "c1").code()).isEqualTo(1)
				.isEqualTo(runc("--root", runcRoot, "delete", "c1").code());

			assertThat(berth("--root", berthRoot, "kill", "c1", "KILL").code()).isZero();
			assertThat(runc("--root", runcRoot, "kill", "c1", "KILL").code()).isZero();
			Kernel.waitpid(Integer.parseInt(Files.readString(pidFile).trim()), 0);
			awaitStopped(runcRoot);
			assertThat(state(berth("--root", berthRoot, "state", "c1")).string("status", "")).isEqualTo("stopped")
				.isEqualTo(state(runc("--root", runcRoot, "state", "c1")).string("status", ""));
		}
		finally {
			berth("--root", berthRoot, "delete", "--force", "c1");
			runc("--root", runcRoot, "delete", "--force", "c1");
		}
		assertThat(berth("--root", berthRoot, "state", "c1").code()).isEqualTo(1);
		assertThat(berth("--root", berthRoot, "list", "-q").stdout()).isEmpty();
	}

	@Test
	void errorsGoToStderrAndToAJsonLog() throws IOException {
		Path log = this.temp.resolve("runtime.log");
		Result result = berth("--root", this.temp.toString(), "--log", log.toString(), "--log-format", "json", "state",
				"missing");
		Result runcResult = runc("--root", this.temp.resolve("runc").toString(), "state", "missing");
		assertThat(result.code()).isEqualTo(1).isEqualTo(runcResult.code());
		assertThat(result.stderr()).contains("container does not exist");
		JsonObject entry = JsonObject.parse(Files.readAllLines(log).get(0));
		assertThat(entry.string("level", "")).isEqualTo("error");
		assertThat(entry.string("msg", "")).contains("container does not exist: missing");
	}

	@Test
	void specAndFeatures() throws IOException {
		Path bundle = Files.createDirectories(this.temp.resolve("spec"));
		assertThat(berth("spec", "--bundle", bundle.toString()).code()).isZero();
		JsonObject spec = JsonObject.parse(Files.readString(bundle.resolve("config.json")));
		assertThat(spec.object("root").string("path", "")).isEqualTo("rootfs");
		assertThat(berth("spec", "--bundle", bundle.toString()).stderr()).contains("exists");
		JsonObject features = JsonObject.parse(berth("features").stdout());
		assertThat(features.string("ociVersionMax", "")).startsWith("1.");
		assertThat(features.object("linux").strings("namespaces")).contains("pid", "mount", "cgroup");
		assertThat(berth("--help").stdout()).contains("Usage: berth-runc");
	}

	private void awaitStopped(String runcRoot) throws IOException {
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (!state(runc("--root", runcRoot, "state", "c1")).string("status", "").equals("stopped")
				&& System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
	}

	private static JsonObject state(Result result) {
		assertThat(result.code()).as(result.stderr()).isZero();
		return JsonObject.parse(result.stdout());
	}

	private static Result berth(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code = new RuncCli(new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8))
			.run(List.of(args));
		return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	/**
	 * The reference: Debian's runc, on the same bundle. Its output goes through files: a container
	 * it creates keeps that stdio, and a pipe would never reach its end.
	 */
	private static Result runc(String... args) throws IOException {
		List<String> command = new ArrayList<>(List.of("runc"));
		command.addAll(List.of(args));
		Path out = Files.createTempFile("runc-out", ".txt");
		Path err = Files.createTempFile("runc-err", ".txt");
		try {
			Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
				.redirectOutput(out.toFile())
				.redirectError(err.toFile())
				.start();
			int code = process.waitFor();
			return new Result(code, Files.readString(out), Files.readString(err));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
		finally {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
		}
	}

	record Result(int code, String stdout, String stderr) {
	}

}
