package dev.berth.runtime.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.berth.runtime.container.ContainerRuntime;
import dev.berth.runtime.container.ContainerRuntime.Stdio;
import dev.berth.runtime.container.InitLauncher;
import dev.berth.runtime.linux.Kernel;

/**
 * create → start → wait → delete of the bundle's process, driven in-process the way the node shim
 * drives the runtime, with a cold init per container and with inits forked from a zygote. Prints
 * medians in ms.
 * Run by bench/runtime-bench.sh: {@code InProcessLatencyBench <bundle> <runtime classpath> <iterations>}.
 */
public final class InProcessLatencyBench {

	private InProcessLatencyBench() {
	}

	public static void main(String[] args) throws Exception {
		Path bundle = Path.of(args[0]);
		String classpath = args[1];
		int iterations = Integer.parseInt(args[2]);
		Path state = Path.of(args[0]).resolveSibling("inprocess-state");
		for (boolean forking : new boolean[] { false, true }) {
			InitLauncher launcher = new InitLauncher(classpath, state.resolve(".lib"));
			launcher.forkInits(forking);
			try (ContainerRuntime runtime = new ContainerRuntime(state, launcher)) {
				while (forking && !launcher.forksInits()) {
					Thread.sleep(50); // the zygote trains in the background
				}
				run(runtime, bundle, "warmup" + forking);
				List<Double> times = new ArrayList<>();
				for (int i = 0; i < iterations; i++) {
					long start = System.nanoTime();
					run(runtime, bundle, "b" + forking + "-" + i);
					times.add((System.nanoTime() - start) / 1e6);
				}
				Collections.sort(times);
				System.out.printf("%s %.1f%n", forking ? "in-process-forked" : "in-process-cold", times.get(times.size() / 2));
			}
		}
	}

	private static void run(ContainerRuntime runtime, Path bundle, String id) {
		int pid = runtime.create(id, bundle, Stdio.inherit()).pid();
		runtime.start(id);
		Kernel.waitpid(pid, 0);
		runtime.delete(id, false);
	}

}
