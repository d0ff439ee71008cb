package dev.berth.lifecycle.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.HostConfig;

/**
 * The mounts a client asked for, from {@code Binds} ({@code -v}), {@code Mounts}
 * ({@code --mount}) and {@code Tmpfs} ({@code --tmpfs}), validated in dockerd's words. Bind and
 * tmpfs mounts are supported; volumes (named or anonymous) and image mounts are not yet.
 *
 * <p>A bind's source must exist for {@code --mount} (unless {@code CreateMountpoint}); for
 * {@code -v} Docker creates a missing directory, which the node that mounts it must do. Both
 * are checked here on this machine, so this runs where the container runs.
 */
final class UserMounts {

	/** One mount for the spec. */
	record MountPoint(String destination, String type, String source, List<String> options) {
	}

	private static final Set<String> READ_WRITE_MODES = Set.of("rw", "ro");

	private static final Set<String> LABEL_MODES = Set.of("z", "Z");

	private static final Set<String> PROPAGATION_MODES = Set.of("private", "rprivate", "slave", "rslave", "shared",
			"rshared");

	private static final Set<String> COPY_MODES = Set.of("nocopy");

	private static final Set<String> CONSISTENCY_MODES = Set.of("consistent", "cached", "delegated");

	private static final List<Set<String>> MODE_KINDS = List.of(READ_WRITE_MODES, LABEL_MODES, PROPAGATION_MODES,
			COPY_MODES, CONSISTENCY_MODES);

	private static final String DEFAULT_PROPAGATION = "rprivate";

	private UserMounts() {
	}

	/** Every mount the client asked for, shallow destinations first (a parent before its children). */
	static List<MountPoint> of(HostConfig hostConfig) {
		List<MountPoint> mounts = new ArrayList<>();
		Set<String> destinations = new HashSet<>();
		Map<String, String> tmpfs = (hostConfig.tmpfs() != null) ? hostConfig.tmpfs() : Map.of();
		for (String bind : (hostConfig.binds() != null) ? hostConfig.binds() : List.<String>of()) {
			MountPoint mount = bind(bind);
			if (!destinations.add(mount.destination()) || tmpfs.containsKey(mount.destination())) {
				throw duplicate(mount.destination());
			}
			mounts.add(mount);
		}
		for (HostConfig.Mount spec : (hostConfig.mounts() != null) ? hostConfig.mounts() : List.<HostConfig.Mount>of()) {
			MountPoint mount = mount(spec);
			if (!destinations.add(mount.destination())) {
				throw duplicate(spec.target());
			}
			mounts.add(mount);
		}
		for (Map.Entry<String, String> entry : tmpfs.entrySet()) {
			String destination = entry.getKey();
			validateDestination(destination);
			List<String> options = new ArrayList<>(TmpfsOptionMerge.DEFAULTS);
			if (!entry.getValue().isEmpty()) {
				options.addAll(List.of(entry.getValue().split(",")));
			}
			mounts.add(new MountPoint(ContainerPaths.clean(destination), "tmpfs", "tmpfs",
					TmpfsOptionMerge.merge(options)));
		}
		mounts.sort(Comparator.comparingInt((MountPoint mount) -> depth(mount.destination())));
		return List.copyOf(mounts);
	}

	/** {@code -v source:destination[:mode]}, Docker's {@code ParseMountRaw}. */
	private static MountPoint bind(String raw) {
		String[] parts = raw.split(":", 4);
		if (parts[0].isEmpty()) {
			throw invalidSpec(raw);
		}
		String source = "";
		String destination;
		String mode = "";
		switch (parts.length) {
			case 1 -> destination = parts[0];
			case 2 -> {
				// "/path:rw" names a volume with a mode but no destination
				if (validMode(parts[1])) {
					throw invalidSpec(raw);
				}
				source = parts[0];
				destination = parts[1];
			}
			case 3 -> {
				source = parts[0];
				destination = parts[1];
				mode = parts[2];
			}
			default -> throw invalidSpec(raw);
		}
		if (!validMode(mode)) {
			throw new InvalidArgumentException("invalid mode: " + mode);
		}
		// a source that is not an absolute path names a volume
		boolean volume = !ContainerPaths.isAbsolute(source);
		String problem = destinationProblem(destination);
		if (problem != null) {
			throw new InvalidArgumentException("invalid volume specification: '" + raw + "': "
					+ mountConfigError(volume ? "volume" : "bind", problem));
		}
		if (volume) {
			throw volumesUnsupported(source, destination);
		}
		boolean readOnly = List.of(mode.split(",")).contains("ro");
		String propagation = List.of(mode.split(",")).stream()
			.filter(PROPAGATION_MODES::contains)
			.findFirst()
			.orElse(DEFAULT_PROPAGATION);
		return new MountPoint(ContainerPaths.clean(destination), "bind", ContainerPaths.clean(source),
				bindOptions(false, readOnly, propagation));
	}

	/** {@code --mount}, Docker's {@code ValidateMountConfig} then the mount it makes. */
	private static MountPoint mount(HostConfig.Mount spec) {
		String type = (spec.type() != null) ? spec.type() : "";
		String target = (spec.target() != null) ? spec.target() : "";
		String source = (spec.source() != null) ? spec.source() : "";
		String problem = target.isEmpty() ? "field Target must not be empty" : destinationProblem(target);
		if (problem != null) {
			throw new InvalidArgumentException(mountConfigError(type, problem));
		}
		return switch (type) {
			case "bind" -> bindMount(spec, source, target);
			case "tmpfs" -> {
				refuseField(type, spec.bindOptions() != null, "BindOptions");
				refuseField(type, spec.imageOptions() != null, "ImageOptions");
				refuseField(type, !source.isEmpty(), "Source");
				List<String> options = new ArrayList<>(TmpfsOptionMerge.DEFAULTS);
				String data = TmpfsOptionMerge.fromMount(spec.tmpfsOptions(), spec.readOnly());
				if (!data.isEmpty()) {
					options.addAll(List.of(data.split(",")));
				}
				yield new MountPoint(ContainerPaths.clean(target), "tmpfs", "tmpfs", TmpfsOptionMerge.merge(options));
			}
			case "volume" -> {
				refuseField(type, spec.bindOptions() != null, "BindOptions");
				throw volumesUnsupported(source, target);
			}
			case "image" -> throw new UnsupportedFeatureException("volumes",
					"image mount of " + source + " at " + target + ": image mounts are not supported yet");
			default -> throw new InvalidArgumentException(mountConfigError(type, "mount type unknown"));
		};
	}

	private static MountPoint bindMount(HostConfig.Mount spec, String source, String target) {
		HostConfig.BindOptions options = spec.bindOptions();
		String propagation = (options != null && options.propagation() != null && !options.propagation().isEmpty())
				? options.propagation() : DEFAULT_PROPAGATION;
		if (source.isEmpty()) {
			throw new InvalidArgumentException(mountConfigError("bind", "field Source must not be empty"));
		}
		if (!PROPAGATION_MODES.contains(propagation)) {
			throw new InvalidArgumentException(mountConfigError("bind", "invalid propagation mode: " + propagation));
		}
		refuseField("bind", spec.volumeOptions() != null, "VolumeOptions");
		refuseField("bind", spec.imageOptions() != null, "ImageOptions");
		if (!ContainerPaths.isAbsolute(source)) {
			throw new InvalidArgumentException(mountConfigError("bind", notAbsolute(source)));
		}
		boolean createMountpoint = options != null && options.createMountpoint();
		if (!createMountpoint && !Files.exists(Path.of(source))) {
			throw new InvalidArgumentException(mountConfigError("bind", "bind source path does not exist: " + source));
		}
		if (options != null && options.readOnlyNonRecursive() && options.readOnlyForceRecursive()) {
			throw new InvalidArgumentException("mount options conflict: ReadOnlyNonRecursive && ReadOnlyForceRecursive");
		}
		if (spec.readOnly() && options != null && options.readOnlyForceRecursive()) {
			throw new InvalidArgumentException("recursively read-only mounts are not supported by the runtime");
		}
		return new MountPoint(ContainerPaths.clean(target), "bind", ContainerPaths.clean(source),
				bindOptions(options != null && options.nonRecursive(), spec.readOnly(), propagation));
	}

	/**
	 * {@code rbind} (or {@code bind}), {@code ro} when read-only, the propagation. Read-only is
	 * not recursive: the runtime has no {@code rro}, and Docker falls back to {@code ro} then.
	 */
	private static List<String> bindOptions(boolean nonRecursive, boolean readOnly, String propagation) {
		List<String> options = new ArrayList<>();
		options.add(nonRecursive ? "bind" : "rbind");
		if (readOnly) {
			options.add("ro");
		}
		options.add(propagation);
		return List.copyOf(options);
	}

	/** A mode is a comma-separated list with at most one option of each kind. */
	private static boolean validMode(String mode) {
		if (mode.isEmpty()) {
			return true;
		}
		int[] counts = new int[MODE_KINDS.size()];
		for (String option : mode.split(",", -1)) {
			int kind = -1;
			for (int i = 0; i < MODE_KINDS.size(); i++) {
				if (MODE_KINDS.get(i).contains(option)) {
					kind = i;
				}
			}
			if (kind < 0 || ++counts[kind] > 1) {
				return false;
			}
		}
		return true;
	}

	/** Why {@code destination} cannot be a mount point, or null. */
	private static String destinationProblem(String destination) {
		if (ContainerPaths.clean(destination).equals("/")) {
			return "invalid specification: destination can't be '/'";
		}
		return ContainerPaths.isAbsolute(destination) ? null : notAbsolute(destination);
	}

	/** {@code --tmpfs} destinations, which Docker reports without the mount-config wrapper. */
	private static void validateDestination(String destination) {
		String problem = destinationProblem(destination);
		if (problem != null) {
			throw new InvalidArgumentException(problem);
		}
	}

	private static String notAbsolute(String path) {
		return "invalid mount path: '" + path + "' mount path must be absolute";
	}

	private static String mountConfigError(String type, String problem) {
		return "invalid mount config for type \"" + type + "\": " + problem;
	}

	private static void refuseField(String type, boolean present, String field) {
		if (present) {
			throw new InvalidArgumentException(mountConfigError(type, "field " + field + " must not be specified"));
		}
	}

	private static InvalidArgumentException invalidSpec(String raw) {
		return new InvalidArgumentException("invalid volume specification: '" + raw + "'");
	}

	private static InvalidArgumentException duplicate(String destination) {
		return new InvalidArgumentException("Duplicate mount point: " + destination);
	}

	private static UnsupportedFeatureException volumesUnsupported(String name, String destination) {
		String what = name.isEmpty() ? "anonymous volume at " + destination : "volume " + name + " at " + destination;
		return new UnsupportedFeatureException("volumes", what + ": volumes are not supported yet");
	}

	private static int depth(String destination) {
		return ContainerPaths.clean(destination).split("/").length;
	}

}
