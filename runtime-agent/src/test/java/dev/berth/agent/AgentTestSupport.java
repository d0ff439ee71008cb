package dev.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import dev.berth.contracts.agent.v1.CreateRequest;
import dev.berth.contracts.agent.v1.StdioConfig;
import dev.berth.agent.snapshot.TreeRemoval;
import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.TestBundles;
import dev.berth.runtime.container.ProcessInfo;
import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.shim.ShimClient;
import dev.berth.runtime.spec.Json;

/** Requests and clean-up shared by the agent's tests. */
public final class AgentTestSupport {

	private AgentTestSupport() {
	}

	/** A create request for a busybox container with an absolute rootfs (no image mounts). */
	static CreateRequest create(Path dir, String id, List<String> args, StdioConfig stdio,
			java.util.function.Consumer<Map<String, Object>> customizer) throws IOException {
		Path bundle = TestBundles.busybox(dir.resolve(id), args);
		Map<String, Object> spec = TestBundles.spec(args);
		spec.put("root", Json.obj("path", bundle.resolve("rootfs").toString(), "readonly", false));
		customizer.accept(spec);
		return CreateRequest.newBuilder()
			.setContainerId(id)
			.setSpecJson(ByteString.copyFromUtf8(Json.write(spec)))
			.setStdio(stdio)
			.build();
	}

	static CreateRequest create(Path dir, String id, List<String> args) throws IOException {
		return create(dir, id, args, StdioConfig.getDefaultInstance(), (spec) -> {
		});
	}

	/** Stops the shim serving {@code socket} and everything it runs, and removes the exec root. */
	public static void stopShim(Path execRoot) {
		ShimClient shim = new ShimClient(execRoot.resolve("shim.sock"));
		if (!shim.isServing()) {
			return;
		}
		@SuppressWarnings("unchecked")
		List<Object> tasks = (List<Object>) shim.call(Map.of("op", "list"));
		for (Object task : tasks) {
			String id = (String) ((Map<?, ?>) task).get("id");
			try {
				shim.call(Map.of("op", "delete", "id", id, "force", true));
			}
			catch (RuntimeException ex) {
				// gone already
			}
		}
		int pid = (int) shim.callForObject(Map.of("op", "ping")).integer("pid", 0);
		Kernel.kill(pid, Kernel.SIGKILL);
		long deadline = System.nanoTime() + 5_000_000_000L;
		while (ProcessInfo.isRunning(pid) && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
	}

	/**
	 * Removes a test's exec root: detaches whatever is still mounted below it (a failed test can
	 * leave a rootfs mounted), deepest first, then deletes the tree without following links.
	 */
	public static void removeExecRoot(Path execRoot) throws IOException {
		List<String> mountPoints = new java.util.ArrayList<>();
		for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
			String mountPoint = line.split(" ")[4];
			if (mountPoint.startsWith(execRoot + "/")) {
				mountPoints.add(mountPoint);
			}
		}
		mountPoints.sort(java.util.Comparator.comparingInt(String::length).reversed());
		for (String mountPoint : mountPoints) {
			JnaLinuxSyscalls.INSTANCE.umount(mountPoint, LinuxSyscalls.MNT_DETACH);
		}
		TreeRemoval.removeTree(execRoot);
	}

	/** A fresh directory for a test class's exec and data roots. */
	public static Path tempDir(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The call fails with this gRPC code and a description containing {@code message}. */
	public static void assertStatus(Runnable call, Status.Code code, String message) {
		assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
			assertThat(ex.getStatus().getCode()).isEqualTo(code);
			assertThat(ex.getStatus().getDescription()).contains(message);
		});
	}

}
