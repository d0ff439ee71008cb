package dev.berth.runtime.init;

import java.util.Map;

import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;

/**
 * What the parent tells a container init: the mode, the container's spec, its rootfs (absolute),
 * and for {@code setns} mode the process to run and the pid whose namespaces it joins; then, in the
 * init, the descriptors of the exec FIFO and the console socket that came with it.
 */
public record Bootstrap(String mode, String specJson, String rootfs, boolean consoleSocket, String processJson,
		long targetPid, int execFifoFd, int consoleSocketFd) {

	public static Bootstrap standard(String specJson, String rootfs, boolean consoleSocket) {
		return new Bootstrap(InitProtocol.MODE_STANDARD, specJson, rootfs, consoleSocket, null, 0, -1, -1);
	}

	public static Bootstrap setns(String specJson, String processJson, long targetPid, boolean consoleSocket) {
		return new Bootstrap(InitProtocol.MODE_SETNS, specJson, "", consoleSocket, processJson, targetPid, -1, -1);
	}

	/**
	 * With the descriptors as the init received them. They keep the numbers the kernel gave them:
	 * moving them to fixed numbers could close one the JVM has open there (a jar it reads classes from).
	 */
	Bootstrap withDescriptors(int execFifo, int consoleSocket) {
		return new Bootstrap(this.mode, this.specJson, this.rootfs, this.consoleSocket, this.processJson,
				this.targetPid, execFifo, consoleSocket);
	}

	public String toJson() {
		return Json.write(Map.of("mode", this.mode, "spec", this.specJson, "rootfs", this.rootfs, "consoleSocket",
				this.consoleSocket, "process", (this.processJson != null) ? this.processJson : "", "targetPid",
				this.targetPid));
	}

	static Bootstrap parse(String json) {
		JsonObject o = JsonObject.parse(json);
		String process = o.string("process", "");
		return new Bootstrap(o.requiredString("mode"), o.requiredString("spec"), o.string("rootfs", ""),
				o.bool("consoleSocket", false), process.isEmpty() ? null : process, o.integer("targetPid", 0), -1, -1);
	}

	RuntimeSpec spec() {
		return RuntimeSpec.parse(this.specJson);
	}

	RuntimeSpec.Process process() {
		return (this.processJson != null) ? RuntimeSpec.Process.parse(this.processJson) : spec().process();
	}

}
