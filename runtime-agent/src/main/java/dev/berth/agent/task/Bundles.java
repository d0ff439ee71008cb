package dev.berth.agent.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import dev.berth.agent.AgentProperties;
import dev.berth.contracts.agent.v1.Mount;
import dev.berth.runtime.container.ContainerExistsException;
import dev.berth.runtime.container.ContainerNotFoundException;
import dev.berth.runtime.linux.Errno;
import dev.berth.runtime.linux.JnaLinuxSyscalls;
import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.linux.SyscallException;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.SpecException;

/**
 * OCI bundles on this node: {@code <exec-root>/bundles/<id>/} with the spec and, when the request
 * brings rootfs mounts (an overlay of image layers, or a bind), the mounted {@code rootfs}.
 */
@Component
class Bundles {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

	private final AgentProperties properties;

	Bundles(AgentProperties properties) {
		this.properties = properties;
	}

	/**
	 * Writes the bundle and mounts its rootfs; on failure nothing is left. {@code completion} may
	 * change the spec before it is written, with the root filesystem in place (mounted, for an
	 * image) to read from.
	 */
	@SuppressWarnings("unchecked")
	Path prepare(String id, String specJson, List<Mount> rootfs, BiConsumer<Map<String, Object>, Path> completion) {
		if (!ID.matcher(id).matches()) {
			throw new SpecException("container_id: invalid id \"" + id + "\"");
		}
		JsonObject parsed = JsonObject.parse(specJson);
		RuntimeSpec spec = RuntimeSpec.read(parsed);
		Path bundle = this.properties.bundles().resolve(id);
		Map<String, Object> document = new LinkedHashMap<>(parsed.fields());
		if (rootfs.isEmpty()) {
			if (!spec.root().path().startsWith("/")) {
				throw new SpecException("root.path: must be absolute when no rootfs mounts are given, got \""
						+ spec.root().path() + "\"");
			}
			if (!Files.isDirectory(Path.of(spec.root().path()))) {
				throw new SpecException("root.path: " + spec.root().path() + " does not exist");
			}
		}
		try {
			Files.createDirectories(this.properties.bundles());
			Files.createDirectory(bundle);
		}
		catch (java.nio.file.FileAlreadyExistsException ex) {
			throw new ContainerExistsException(id);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			Path rootPath = Path.of(spec.root().path());
			if (!rootfs.isEmpty()) {
				rootPath = bundle.resolve("rootfs");
				Files.createDirectories(rootPath);
				mountRootfs(rootfs, rootPath);
				Map<String, Object> root = new LinkedHashMap<>((Map<String, Object>) document.get("root"));
				root.put("path", rootPath.toString());
				document.put("root", root);
			}
			completion.accept(document, rootPath);
			Files.writeString(bundle.resolve("config.json"), Json.write(document));
			return bundle;
		}
		catch (IOException | RuntimeException ex) {
			remove(id);
			if (ex instanceof IOException io) {
				throw new UncheckedIOException(io);
			}
			throw (RuntimeException) ex;
		}
	}

	/** The root filesystem of a created container, as its spec has it. */
	Path rootfs(String id) {
		Path config = this.properties.bundles().resolve(id).resolve("config.json");
		if (!ID.matcher(id).matches() || !Files.isRegularFile(config)) {
			throw new ContainerNotFoundException(id);
		}
		try {
			return Path.of(RuntimeSpec.read(JsonObject.parse(Files.readString(config))).root().path());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Unmounts the rootfs and removes the bundle; idempotent. */
	void remove(String id) {
		Path bundle = this.properties.bundles().resolve(id);
		Path rootfs = bundle.resolve("rootfs");
		try {
			JnaLinuxSyscalls.INSTANCE.umount(rootfs.toString(), LinuxSyscalls.MNT_DETACH);
		}
		catch (SyscallException ex) {
			// EINVAL: not a mount point (any more); ENOENT: no rootfs. One call instead of reading the mount table
			if (ex.errno() != Errno.EINVAL && ex.errno() != Errno.ENOENT) {
				throw ex;
			}
		}
		try {
			Files.deleteIfExists(bundle.resolve("config.json"));
			Files.deleteIfExists(rootfs);
			Files.deleteIfExists(bundle);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void mountRootfs(List<Mount> mounts, Path target) {
		for (Mount mount : mounts) {
			List<String> options = new ArrayList<>(mount.getOptionsList());
			boolean bind = mount.getType().equals("bind") || options.contains("bind") || options.contains("rbind");
			if (bind) {
				long flags = LinuxSyscalls.MS_BIND | (options.contains("rbind") ? LinuxSyscalls.MS_REC : 0);
				JnaLinuxSyscalls.INSTANCE.mount(mount.getSource(), target.toString(), "bind", flags, null);
				if (options.contains("ro")) {
					JnaLinuxSyscalls.INSTANCE.mount(null, target.toString(), null,
							LinuxSyscalls.MS_BIND | LinuxSyscalls.MS_REMOUNT | LinuxSyscalls.MS_RDONLY, null);
				}
			}
			else {
				// an overlay (lowerdir=…,upperdir=…,workdir=…) or another filesystem, by its options
				JnaLinuxSyscalls.INSTANCE.mount(mount.getSource(), target.toString(), mount.getType(), 0,
						String.join(",", options));
			}
		}
	}

}
