package dev.berth.lifecycle.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.HostConfig;

/**
 * The devices a container may use: {@code linux.devices} (nodes the runtime creates in the
 * container's /dev) and {@code linux.resources.devices} (the device cgroup's rules). By default
 * the cgroup denies everything but null, zero, full, random, urandom, tty and the pty
 * multiplexer, and the runtime creates those standard nodes itself. {@code --device} adds host
 * devices (a directory adds every device under it), {@code --device-cgroup-rule} adds rules, and
 * a privileged container gets every host device and an allow-all rule.
 *
 * <p>Devices are read from this machine's /dev: the spec is built where the container runs.
 */
final class DeviceRules {

	/** The device cgroup's allow rule is {@code type major:minor access}, {@code *} for any number. */
	private static final Pattern CGROUP_RULE = Pattern.compile("^([acb]) ([0-9]+|\\*):([0-9]+|\\*) ([rwm]{1,3})$");

	private static final int S_IFMT = 0170000;

	private static final int S_IFCHR = 0020000;

	private static final int S_IFBLK = 0060000;

	/** Host directories under /dev a privileged container does not get: they are mounted anew inside. */
	private static final Set<String> HOST_DIRECTORIES_SKIPPED = Set.of("pts", "shm", "fd", "mqueue", ".lxc",
			".lxd-mounts", ".udev");

	private final List<ObjectNode> devices = new ArrayList<>();

	private final List<ObjectNode> rules = new ArrayList<>();

	private DeviceRules() {
	}

	/** The result: nodes for {@code linux.devices}, rules for {@code linux.resources.devices}. */
	record Devices(ArrayNode nodes, ArrayNode cgroupRules) {
	}

	static Devices of(HostConfig hostConfig, Path hostDev) {
		DeviceRules result = new DeviceRules();
		List<HostConfig.DeviceMapping> mappings = (hostConfig.devices() != null) ? hostConfig.devices() : List.of();
		if (hostConfig.privileged()) {
			result.hostDevices(hostDev);
			for (HostConfig.DeviceMapping mapping : mappings) {
				// a privileged container has the host's /dev already; only renamed devices add a node
				if (!mapping.pathOnHost().equals(containerPath(mapping))) {
					result.mapped(mapping.pathOnHost(), containerPath(mapping), "rwm", false);
				}
			}
			result.rules.add(rule(true, "a", null, null, "rwm"));
		}
		else {
			result.defaultRules();
			for (HostConfig.DeviceMapping mapping : mappings) {
				String permissions = (mapping.cgroupPermissions() == null || mapping.cgroupPermissions().isEmpty())
						? "rwm" : mapping.cgroupPermissions();
				result.mapped(mapping.pathOnHost(), containerPath(mapping), permissions, true);
			}
			for (String rule : (hostConfig.deviceCgroupRules() != null) ? hostConfig.deviceCgroupRules()
					: List.<String>of()) {
				result.rules.add(parseRule(rule));
			}
		}
		ArrayNode nodes = SpecJson.object().arrayNode();
		result.devices.forEach(nodes::add);
		ArrayNode cgroupRules = SpecJson.object().arrayNode();
		result.rules.forEach(cgroupRules::add);
		return new Devices(nodes, cgroupRules);
	}

	private static String containerPath(HostConfig.DeviceMapping mapping) {
		String inContainer = mapping.pathInContainer();
		return (inContainer == null || inContainer.isEmpty()) ? mapping.pathOnHost() : inContainer;
	}

	/** Deny all; allow null, zero, full, random, urandom, tty and ptmx; deny fuse explicitly. */
	private void defaultRules() {
		this.rules.add(rule(false, null, null, null, "rwm"));
		for (long[] device : new long[][] { { 1, 5 }, { 1, 3 }, { 1, 9 }, { 1, 8 }, { 5, 0 }, { 5, 1 } }) {
			this.rules.add(rule(true, "c", device[0], device[1], "rwm"));
		}
		this.rules.add(rule(false, "c", 10L, 229L, "rwm"));
	}

	/** One {@code --device}: a device node, or a directory of them; the path is resolved if a link. */
	private void mapped(String pathOnHost, String pathInContainer, String permissions, boolean addRules) {
		Path resolved = resolve(Path.of(pathOnHost));
		ObjectNode device = node(resolved, pathInContainer);
		if (device != null) {
			add(device, permissions, addRules);
			return;
		}
		List<ObjectNode> found = new ArrayList<>();
		if (Files.isDirectory(resolved)) {
			walk(resolved, Set.of(), (file) -> {
				String inside = pathInContainer + file.toString().substring(resolved.toString().length());
				ObjectNode child = node(file, inside);
				if (child != null) {
					found.add(child);
				}
			});
		}
		if (found.isEmpty()) {
			String reason = Files.exists(resolved) ? "not a device node" : "no such file or directory";
			throw new InvalidArgumentException("error gathering device information while adding custom device \""
					+ pathOnHost + "\": " + reason);
		}
		found.forEach((child) -> add(child, permissions, addRules));
	}

	/** Symbolic links followed, as Docker follows {@code /dev/disk/by-id/...}; as given if that fails. */
	private static Path resolve(Path path) {
		try {
			return path.toRealPath();
		}
		catch (IOException ex) {
			return path;
		}
	}

	private void add(ObjectNode device, String permissions, boolean addRule) {
		this.devices.add(device);
		if (addRule) {
			this.rules.add(rule(true, device.get("type").asString(), device.get("major").asLong(),
					device.get("minor").asLong(), permissions));
		}
	}

	/** Every device node under the host's /dev, as a privileged container sees them. */
	private void hostDevices(Path dev) {
		walk(dev, HOST_DIRECTORIES_SKIPPED, (file) -> {
			if (!file.getFileName().toString().equals("console")) {
				ObjectNode device = node(file, file.toString());
				if (device != null) {
					this.devices.add(device);
				}
			}
		});
	}

	/** The OCI device for a character or block node at {@code file}, or null for anything else. */
	private static ObjectNode node(Path file, String pathInContainer) {
		Map<String, Object> attributes;
		try {
			attributes = Files.readAttributes(file, "unix:mode,rdev,uid,gid", LinkOption.NOFOLLOW_LINKS);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		int mode = (Integer) attributes.get("mode");
		String type = switch (mode & S_IFMT) {
			case S_IFCHR -> "c";
			case S_IFBLK -> "b";
			default -> null;
		};
		if (type == null) {
			return null;
		}
		long rdev = (Long) attributes.get("rdev");
		ObjectNode device = SpecJson.object();
		device.put("path", pathInContainer);
		device.put("type", type);
		device.put("major", major(rdev));
		device.put("minor", minor(rdev));
		device.put("fileMode", mode & ~S_IFMT);
		device.put("uid", (Integer) attributes.get("uid"));
		device.put("gid", (Integer) attributes.get("gid"));
		return device;
	}

	/** glibc's {@code major()}: 12 bits at 8, the rest from bit 32 on. */
	static long major(long rdev) {
		return ((rdev >>> 8) & 0xfffL) | ((rdev >>> 32) & ~0xfffL);
	}

	/** glibc's {@code minor()}: 8 bits at 0, the rest from bit 12 on. */
	static long minor(long rdev) {
		return (rdev & 0xffL) | ((rdev >>> 12) & ~0xffL);
	}

	/** {@code --device-cgroup-rule 'c 42:* rmw'}. */
	private static ObjectNode parseRule(String text) {
		Matcher matcher = CGROUP_RULE.matcher(text);
		if (!matcher.matches()) {
			throw new InvalidArgumentException("invalid device cgroup rule format: '" + text + "'");
		}
		return rule(true, matcher.group(1), number(matcher.group(2)), number(matcher.group(3)), matcher.group(4));
	}

	private static Long number(String text) {
		return text.equals("*") ? -1L : Long.parseLong(text);
	}

	private static ObjectNode rule(boolean allow, String type, Long major, Long minor, String access) {
		ObjectNode rule = SpecJson.object().put("allow", allow);
		if (type != null) {
			rule.put("type", type);
		}
		if (major != null) {
			rule.put("major", major);
		}
		if (minor != null) {
			rule.put("minor", minor);
		}
		return rule.put("access", access);
	}

	private static void walk(Path root, Set<String> skippedDirectories, java.util.function.Consumer<Path> visitor) {
		try {
			Files.walkFileTree(root, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
					return (!dir.equals(root) && skippedDirectories.contains(dir.getFileName().toString()))
							? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
					visitor.accept(file);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path file, IOException ex) {
					// a node that vanished or cannot be read is not one the container can use
					return FileVisitResult.CONTINUE;
				}

			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
