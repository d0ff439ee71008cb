package dev.berth.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.berth.runtime.cli.DefaultSpec;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;

/**
 * OCI bundles for tests: a rootfs made of Debian's static busybox (one binary, a link per applet)
 * and a config.json in the shape Docker gives containers.
 */
public final class TestBundles {

	public static final Path BUSYBOX = Path.of("/bin/busybox");

	private TestBundles() {
	}

	/** Creates {@code dir/rootfs} with busybox and {@code dir/config.json}; returns the bundle dir. */
	public static Path busybox(Path dir, List<String> args) throws IOException {
		Path rootfs = dir.resolve("rootfs");
		Path bin = rootfs.resolve("bin");
		Files.createDirectories(bin);
		for (String d : List.of("proc", "sys", "dev", "etc", "tmp", "root")) {
			Files.createDirectories(rootfs.resolve(d));
		}
		Files.copy(BUSYBOX, bin.resolve("busybox"));
		for (String applet : applets()) {
			Path link = bin.resolve(applet);
			if (!Files.exists(link)) {
				Files.createSymbolicLink(link, Path.of("busybox"));
			}
		}
		Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
		Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n");
		writeSpec(dir, spec(args));
		return dir;
	}

	/** The spec of {@code berth-runc spec} made non-interactive, with Docker's capabilities. */
	public static Map<String, Object> spec(List<String> args) {
		Map<String, Object> spec = mutable(JsonObject.parse(Json.write(DefaultSpec.create())).fields());
		Map<String, Object> process = child(spec, "process");
		process.put("terminal", false);
		process.put("args", args);
		process.put("noNewPrivileges", false);
		List<String> caps = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
				"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
				"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
		process.put("capabilities", Json.obj("bounding", caps, "effective", caps, "permitted", caps));
		spec.put("root", Json.obj("path", "rootfs", "readonly", false));
		return spec;
	}

	@SuppressWarnings("unchecked")
	public static Map<String, Object> child(Map<String, Object> parent, String name) {
		Map<String, Object> child = mutable((Map<String, Object>) parent.get(name));
		parent.put(name, child);
		return child;
	}

	public static void writeSpec(Path bundle, Map<String, Object> spec) throws IOException {
		Files.writeString(bundle.resolve("config.json"), Json.writeIndented(spec, "  "));
	}

	private static Map<String, Object> mutable(Map<String, Object> map) {
		return new LinkedHashMap<>(map);
	}

	private static List<String> applets() throws IOException {
		Process process = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
		List<String> applets = new ArrayList<>();
		for (String line : new String(process.getInputStream().readAllBytes()).split("\n")) {
			if (!line.isBlank()) {
				applets.add(line.trim());
			}
		}
		return applets;
	}

}
