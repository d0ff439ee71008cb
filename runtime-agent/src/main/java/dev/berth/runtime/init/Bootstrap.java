package dev.berth.runtime.init;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.berth.runtime.seccomp.SeccompProgram;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.SpecException;

/**
 * What the parent tells a container init: the mode, the container's spec, its rootfs (absolute),
 * the spec's seccomp profile already compiled, and for {@code setns} mode the process to run and
 * the pid whose namespaces it joins; then, in the init, the descriptors of the exec FIFO and the
 * console socket that came with it.
 *
 * <p>The parent compiles the seccomp profile (once per node for a profile most containers share)
 * and the spec the init reads comes without it: the init loads the program as it is, and never
 * reads the profile, nor the system call tables, in its fresh JVM. The spec and the process travel
 * as JSON objects inside the bootstrap, not as strings in it: the init, which runs interpreted,
 * reads them once and unescaped.
 */
public record Bootstrap(String mode, JsonObject specDocument, String rootfs, boolean consoleSocket,
		JsonObject processDocument,
		long targetPid, SeccompProgram seccomp, int execFifoFd, int consoleSocketFd) {

	/**
	 * @param spec the container's spec, as the caller read it
	 * @param seccomp the compiled {@code linux.seccomp} of the spec, null when it has none
	 */
	public static Bootstrap standard(JsonObject spec, String rootfs, boolean consoleSocket, SeccompProgram seccomp) {
		return new Bootstrap(InitProtocol.MODE_STANDARD, withoutSeccomp(spec, seccomp), rootfs, consoleSocket, null, 0,
				seccomp, -1, -1);
	}

	/** @param seccomp the compiled {@code linux.seccomp} of the container's spec, null when it has none */
	public static Bootstrap setns(JsonObject spec, JsonObject process, long targetPid, boolean consoleSocket,
			SeccompProgram seccomp) {
		return new Bootstrap(InitProtocol.MODE_SETNS, withoutSeccomp(spec, seccomp), "", consoleSocket, process,
				targetPid, seccomp, -1, -1);
	}

	/**
	 * With the descriptors as the init received them. They keep the numbers the kernel gave them:
	 * moving them to fixed numbers could close one the JVM has open there (a jar it reads classes from).
	 */
	Bootstrap withDescriptors(int execFifo, int consoleSocket) {
		return new Bootstrap(this.mode, this.specDocument, this.rootfs, this.consoleSocket, this.processDocument,
				this.targetPid, this.seccomp, execFifo, consoleSocket);
	}

	public String toJson() {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("mode", this.mode);
		fields.put("spec", this.specDocument.fields());
		fields.put("rootfs", this.rootfs);
		fields.put("consoleSocket", this.consoleSocket);
		if (this.processDocument != null) {
			fields.put("process", this.processDocument.fields());
		}
		fields.put("targetPid", this.targetPid);
		if (this.seccomp != null) {
			fields.put("seccompFilter", Base64.getEncoder().encodeToString(this.seccomp.filter()));
			fields.put("seccompFlags", this.seccomp.flags());
		}
		return Json.write(fields);
	}

	static Bootstrap parse(String json) {
		JsonObject o = JsonObject.parse(json);
		String filter = o.string("seccompFilter", "");
		SeccompProgram seccomp = filter.isEmpty() ? null
				: SeccompProgram.of(Base64.getDecoder().decode(filter), (int) o.integer("seccompFlags", 0));
		JsonObject spec = o.object("spec");
		if (spec == null) {
			throw new SpecException("spec: required");
		}
		JsonObject process = o.object("process");
		return new Bootstrap(o.requiredString("mode"), document(spec), o.string("rootfs", ""),
				o.bool("consoleSocket", false), (process != null) ? document(process) : null, o.integer("targetPid", 0),
				seccomp, -1, -1);
	}

	/** A field that is a document of its own: its errors name fields from its root, as the spec's file. */
	private static JsonObject document(JsonObject field) {
		return new JsonObject("", field.fields());
	}

	RuntimeSpec spec() {
		return RuntimeSpec.read(this.specDocument);
	}

	RuntimeSpec.Process process() {
		return (this.processDocument != null) ? RuntimeSpec.Process.read(this.processDocument) : spec().process();
	}

	/** The spec without {@code linux.seccomp}, which {@code seccomp} replaces; as it is without a program. */
	@SuppressWarnings("unchecked")
	private static JsonObject withoutSeccomp(JsonObject parsed, SeccompProgram seccomp) {
		if (seccomp == null || !(parsed.fields().get("linux") instanceof Map<?, ?> linux)) {
			return parsed;
		}
		Map<String, Object> spec = new LinkedHashMap<>(parsed.fields());
		Map<String, Object> rest = new LinkedHashMap<>((Map<String, Object>) linux);
		rest.remove("seccomp");
		spec.put("linux", rest);
		return new JsonObject("", spec);
	}

}
