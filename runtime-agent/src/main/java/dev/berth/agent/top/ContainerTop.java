package dev.berth.agent.top;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

import dev.berth.agent.NoSuchContainerException;
import dev.berth.contracts.agent.v1.TopProcess;
import dev.berth.contracts.agent.v1.TopResponse;
import dev.berth.runtime.container.ContainerStateException;
import dev.berth.runtime.shim.ShimClient;
import dev.berth.runtime.shim.ShimException;
import dev.berth.runtime.spec.Json;

/**
 * {@code docker top}: the host's {@code ps} with the caller's arguments (default {@code -ef}),
 * reduced to the container's processes, those in its cgroup. The PIDs are the host's, as Docker
 * shows them.
 */
@Component
public class ContainerTop {

	/**
	 * A column renamed to PID ({@code -o user=PID}) would pass another column off as the PIDs that
	 * select the rows; only {@code pid=} may take that title.
	 */
	private static final Pattern RENAMED_PID = Pattern.compile("\\s+([^\\s]*)=\\s*(PID[^\\s]*)");

	private final ShimClient shim;

	public ContainerTop(ShimClient shim) {
		this.shim = shim;
	}

	public TopResponse list(String id, String psArgs) {
		List<String> args = arguments(psArgs);
		Set<Long> pids = pidsOf(id);
		String output = ps(args, pids);
		PsOutput parsed = PsOutput.parse(output, pids);
		TopResponse.Builder response = TopResponse.newBuilder().addAllTitles(parsed.titles());
		for (List<String> process : parsed.processes()) {
			response.addProcesses(TopProcess.newBuilder().addAllFields(process));
		}
		return response.build();
	}

	/** Split on single spaces, as Docker splits them. */
	private static List<String> arguments(String psArgs) {
		String args = psArgs.isEmpty() ? "-ef" : psArgs;
		Matcher renamed = RENAMED_PID.matcher(args);
		while (renamed.find()) {
			if (!renamed.group(1).equals("pid")) {
				throw new IllegalArgumentException(
						"specifying \"" + renamed.group(1) + "=" + renamed.group(2) + "\" is not allowed");
			}
		}
		return List.of(args.split(" ", -1));
	}

	@SuppressWarnings("unchecked")
	private Set<Long> pidsOf(String id) {
		String status;
		try {
			status = this.shim.callForObject(Json.obj("op", "state", "id", id, "execId", "")).string("status", "");
		}
		catch (ShimException ex) {
			if (ex.kind() == ShimException.Kind.NOT_FOUND) {
				throw new NoSuchContainerException(id);
			}
			throw ex;
		}
		if (!status.equals("running") && !status.equals("paused")) {
			throw new ContainerStateException("container " + id + " is not running");
		}
		Set<Long> pids = new LinkedHashSet<>();
		for (Object process : (List<Object>) this.shim.call(Json.obj("op", "pids", "id", id))) {
			pids.add(((Number) ((Map<String, Object>) process).get("pid")).longValue());
		}
		return pids;
	}

	/**
	 * Runs ps for just these PIDs ({@code -q}); some options do not go with {@code -q}, so on a
	 * failure it runs again without it, over every process of the host.
	 */
	private static String ps(List<String> args, Set<Long> pids) {
		List<String> selective = new ArrayList<>(args);
		selective.add("-q" + pids.stream().map(String::valueOf).collect(Collectors.joining(",")));
		Run run = run(selective);
		if (run.exitCode() != 0) {
			run = run(args);
		}
		if (run.exitCode() != 0) {
			String reason = run.stderr().lines().findFirst().orElse("exit status " + run.exitCode());
			throw new PsException("ps: " + reason);
		}
		return run.stdout();
	}

	private record Run(int exitCode, String stdout, String stderr) {
	}

	private static Run run(List<String> args) {
		List<String> command = new ArrayList<>();
		command.add("ps");
		command.addAll(args);
		try {
			Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.start();
			// both pipes at once: ps blocks if either fills
			FutureTask<String> stderr = new FutureTask<>(() -> readAll(process.getErrorStream()));
			Thread.ofVirtual().name("berth-ps-stderr").start(stderr);
			String stdout = readAll(process.getInputStream());
			return new Run(process.waitFor(), stdout, stderr.get());
		}
		catch (IOException ex) {
			throw new PsException("ps: " + ex.getMessage());
		}
		catch (ExecutionException ex) {
			throw new PsException("ps: " + ex.getCause().getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new PsException("ps: interrupted");
		}
	}

	private static String readAll(InputStream stream) {
		try (stream) {
			return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
