package dev.berth.lifecycle.spec;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.container.HostConfig;

/**
 * The options of a tmpfs mount, as Docker merges its defaults ({@code noexec,nosuid,nodev})
 * with the user's: a later option wins over an earlier one of the same kind ({@code exec} over
 * {@code noexec}, the last {@code size=}), so a user can loosen a default.
 */
final class TmpfsOptionMerge {

	/** Flag options by the kernel flag they set or clear: two options of one kind collide. */
	private static final Map<String, String> FLAG_KINDS = flagKinds();

	/** The {@code key=value} options tmpfs takes. */
	private static final Set<String> DATA_KEYS = Set.of("size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol");

	static final List<String> DEFAULTS = List.of("noexec", "nosuid", "nodev", "rprivate");

	private static final int UNIT_BITS = 10;

	private TmpfsOptionMerge() {
	}

	/** {@code options} in order, each dropped when a later one of the same kind follows it. */
	static List<String> merge(List<String> options) {
		Set<String> seen = new HashSet<>();
		Deque<String> merged = new ArrayDeque<>();
		for (int i = options.size() - 1; i >= 0; i--) {
			String option = options.get(i);
			if (option.equals("defaults")) {
				continue;
			}
			String kind = FLAG_KINDS.get(option);
			if (kind == null) {
				int equals = option.indexOf('=');
				if (equals < 0 || !DATA_KEYS.contains(option.substring(0, equals))) {
					throw new InvalidArgumentException("invalid tmpfs option [\"" + String.join("\" \"",
							option.split("=", 2)) + "\"]");
				}
				kind = option.substring(0, equals);
			}
			if (seen.add(kind)) {
				merged.addFirst(option);
			}
		}
		return List.copyOf(merged);
	}

	/**
	 * The data string of a {@code --mount type=tmpfs}: {@code ro}, the mode in octal, the size
	 * with the largest unit that divides it, then the user's flags ({@code exec} or
	 * {@code noexec} only).
	 */
	static String fromMount(HostConfig.TmpfsOptions options, boolean readOnly) {
		StringBuilder data = new StringBuilder(readOnly ? "ro" : "");
		if (options == null) {
			return data.toString();
		}
		if (options.mode() != 0) {
			append(data, "mode=" + Integer.toOctalString(options.mode()));
		}
		if (options.sizeBytes() != 0) {
			append(data, "size=" + size(options.sizeBytes()));
		}
		for (List<String> option : (options.options() != null) ? options.options() : List.<List<String>>of()) {
			if (option.isEmpty() || option.size() > 2) {
				throw new InvalidArgumentException("invalid option array length");
			}
			if (!option.getFirst().equals("exec") && !option.getFirst().equals("noexec")) {
				throw new InvalidArgumentException("invalid option: " + option.getFirst());
			}
			append(data, String.join("=", option));
		}
		return data.toString();
	}

	/** Gibibytes, mebibytes or kibibytes, the largest that divides evenly; else bytes. */
	private static String size(long bytes) {
		String units = "kmg";
		for (int power = units.length(); power >= 1; power--) {
			long divisor = 1L << (UNIT_BITS * power);
			if (bytes % divisor == 0) {
				return (bytes / divisor) + units.substring(power - 1, power);
			}
		}
		return Long.toString(bytes);
	}

	private static void append(StringBuilder data, String option) {
		data.append(data.isEmpty() ? "" : ",").append(option);
	}

	private static Map<String, String> flagKinds() {
		List<List<String>> kinds = List.of(List.of("ro", "rw"), List.of("exec", "noexec"), List.of("suid", "nosuid"),
				List.of("dev", "nodev"), List.of("sync", "async"), List.of("dirsync"), List.of("remount"),
				List.of("mand", "nomand"), List.of("atime", "noatime"), List.of("diratime", "nodiratime"),
				List.of("bind", "rbind"), List.of("relatime", "norelatime"), List.of("strictatime", "nostrictatime"),
				List.of("private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"));
		return kinds.stream()
			.flatMap((kind) -> kind.stream().map((option) -> Map.entry(option, kind.getFirst())))
			.collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
	}

}
