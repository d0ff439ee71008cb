package dev.berth.runtime.spec;

import java.util.List;
import java.util.Map;

/**
 * An OCI runtime spec ({@code config.json}, runtime-spec 1.x): the part of it Berth acts on.
 * Unknown fields are ignored, as runc and crun do.
 */
public record RuntimeSpec(String ociVersion, Process process, Root root, String hostname,
		List<Mount> mounts, Linux linux, Map<String, String> annotations) {

	public static RuntimeSpec parse(String json) {
		return read(JsonObject.parse(json));
	}

	public static RuntimeSpec read(JsonObject o) {
		String version = o.requiredString("ociVersion");
		if (!version.startsWith("1.")) {
			throw new SpecException("ociVersion: unsupported version \"" + version + "\" (1.x expected)");
		}
		JsonObject process = o.object("process");
		JsonObject root = o.object("root");
		if (root == null) {
			throw new SpecException("root: required");
		}
		JsonObject linux = o.object("linux");
		return new RuntimeSpec(version, (process != null) ? Process.read(process) : null, Root.read(root),
				o.string("hostname", ""), o.objects("mounts", Mount::read),
				(linux != null) ? Linux.read(linux) : Linux.EMPTY, o.stringMap("annotations"));
	}

	public record Root(String path, boolean readonly) {

		static Root read(JsonObject o) {
			return new Root(o.requiredString("path"), o.bool("readonly", false));
		}

	}

	public record Mount(String destination, String type, String source, List<String> options) {

		static Mount read(JsonObject o) {
			return new Mount(o.requiredString("destination"), o.string("type", ""), o.string("source", ""),
					o.strings("options"));
		}

	}

	public record Process(boolean terminal, ConsoleSize consoleSize, User user, List<String> args,
			List<String> env, String cwd, Capabilities capabilities, List<Rlimit> rlimits,
			boolean noNewPrivileges, Long oomScoreAdj) {

		public static Process parse(String json) {
			return read(JsonObject.parse(json));
		}

		public static Process read(JsonObject o) {
			List<String> args = o.strings("args");
			if (args.isEmpty()) {
				throw new SpecException(o.fieldPath("args") + ": at least one argument is required");
			}
			String cwd = o.requiredString("cwd");
			if (!cwd.startsWith("/")) {
				throw new SpecException(o.fieldPath("cwd") + ": must be an absolute path, got \"" + cwd + "\"");
			}
			JsonObject console = o.object("consoleSize");
			JsonObject user = o.object("user");
			JsonObject caps = o.object("capabilities");
			return new Process(o.bool("terminal", false), (console != null) ? ConsoleSize.read(console) : null,
					(user != null) ? User.read(user) : new User(0, 0, List.of(), null), args, o.strings("env"), cwd,
					(caps != null) ? Capabilities.read(caps) : Capabilities.NONE, o.objects("rlimits", Rlimit::read),
					o.bool("noNewPrivileges", false), o.integer("oomScoreAdj"));
		}

	}

	public record ConsoleSize(int height, int width) {

		static ConsoleSize read(JsonObject o) {
			return new ConsoleSize((int) o.integer("height", 0), (int) o.integer("width", 0));
		}

	}

	public record User(long uid, long gid, List<Long> additionalGids, Long umask) {

		/** The largest id the kernel accepts: (uid_t) -1 means "unchanged" to setresuid. */
		static final long MAX_ID = 0xFFFF_FFFEL;

		static User read(JsonObject o) {
			long uid = checkId(o, "uid");
			long gid = checkId(o, "gid");
			List<Long> gids = o.integers("additionalGids");
			for (int i = 0; i < gids.size(); i++) {
				if (gids.get(i) < 0 || gids.get(i) > MAX_ID) {
					throw new SpecException(o.fieldPath("additionalGids") + "[" + i + "]: " + gids.get(i)
							+ " is not a valid group id (0.." + MAX_ID + ")");
				}
			}
			return new User(uid, gid, gids, o.integer("umask"));
		}

		private static long checkId(JsonObject o, String name) {
			long id = o.integer(name, 0);
			if (id < 0 || id > MAX_ID) {
				throw new SpecException(o.fieldPath(name) + ": " + id + " is not a valid id (0.." + MAX_ID + ")");
			}
			return id;
		}

	}

	/** The five capability sets, as names like {@code CAP_CHOWN}. */
	public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
			List<String> permitted, List<String> ambient) {

		static final Capabilities NONE = new Capabilities(List.of(), List.of(), List.of(), List.of(), List.of());

		static Capabilities read(JsonObject o) {
			return new Capabilities(o.strings("bounding"), o.strings("effective"), o.strings("inheritable"),
					o.strings("permitted"), o.strings("ambient"));
		}

	}

	public record Rlimit(String type, long hard, long soft) {

		static Rlimit read(JsonObject o) {
			return new Rlimit(o.requiredString("type"), o.integer("hard", 0), o.integer("soft", 0));
		}

	}

	public record Linux(List<Namespace> namespaces, Resources resources, String cgroupsPath,
			List<String> maskedPaths, List<String> readonlyPaths, Seccomp seccomp, List<Device> devices,
			Map<String, String> sysctl, String rootfsPropagation) {

		static final Linux EMPTY = new Linux(List.of(), null, "", List.of(), List.of(), null, List.of(), Map.of(),
				"");

		static Linux read(JsonObject o) {
			JsonObject resources = o.object("resources");
			JsonObject seccomp = o.object("seccomp");
			return new Linux(o.objects("namespaces", Namespace::read),
					(resources != null) ? Resources.read(resources) : null, o.string("cgroupsPath", ""),
					o.strings("maskedPaths"), o.strings("readonlyPaths"),
					(seccomp != null) ? Seccomp.read(seccomp) : null, o.objects("devices", Device::read),
					o.stringMap("sysctl"), o.string("rootfsPropagation", ""));
		}

		public Namespace namespace(String type) {
			for (Namespace ns : this.namespaces) {
				if (ns.type().equals(type)) {
					return ns;
				}
			}
			return null;
		}

	}

	public record Namespace(String type, String path) {

		static final List<String> TYPES = List.of("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");

		static Namespace read(JsonObject o) {
			String type = o.requiredString("type");
			if (!TYPES.contains(type)) {
				throw new SpecException(o.fieldPath("type") + ": unknown namespace type \"" + type + "\"");
			}
			return new Namespace(type, o.string("path", ""));
		}

	}

	public record Device(String type, String path, long major, long minor, Long fileMode, Long uid, Long gid) {

		static Device read(JsonObject o) {
			String type = o.requiredString("type");
			if (!List.of("c", "b", "u", "p").contains(type)) {
				throw new SpecException(o.fieldPath("type") + ": unknown device type \"" + type + "\"");
			}
			return new Device(type, o.requiredString("path"), o.integer("major", 0), o.integer("minor", 0),
					o.integer("fileMode"), o.integer("uid"), o.integer("gid"));
		}

	}

	/** Cgroup limits; {@code null} fields are left as the kernel has them. */
	public record Resources(Long memoryLimit, Long memoryReservation, Long memorySwap, Long cpuShares,
			Long cpuQuota, Long cpuPeriod, String cpusetCpus, String cpusetMems, Long pidsLimit,
			List<DeviceRule> devices) {

		public static final Resources NONE = new Resources(null, null, null, null, null, null, null, null, null,
				List.of());

		public static Resources read(JsonObject o) {
			JsonObject memory = o.object("memory");
			JsonObject cpu = o.object("cpu");
			JsonObject pids = o.object("pids");
			JsonObject none = new JsonObject(o.path(), Map.of());
			memory = (memory != null) ? memory : none;
			cpu = (cpu != null) ? cpu : none;
			pids = (pids != null) ? pids : none;
			return new Resources(memory.integer("limit"), memory.integer("reservation"), memory.integer("swap"),
					cpu.integer("shares"), cpu.integer("quota"), cpu.integer("period"), cpu.string("cpus", null),
					cpu.string("mems", null), pids.integer("limit"), o.objects("devices", DeviceRule::read));
		}

		/** These limits without the pids limit (null there leaves it as it is). */
		public Resources withoutPidsLimit() {
			return new Resources(this.memoryLimit, this.memoryReservation, this.memorySwap, this.cpuShares,
					this.cpuQuota, this.cpuPeriod, this.cpusetCpus, this.cpusetMems, null, this.devices);
		}

		/** Only the pids limit of these. */
		public Resources pidsLimitOnly() {
			return new Resources(null, null, null, null, null, null, null, null, this.pidsLimit, List.of());
		}

	}

	/** A device cgroup rule: {@code allow} or deny {@code type major:minor access}. */
	public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {

		static DeviceRule read(JsonObject o) {
			return new DeviceRule(o.bool("allow", false), o.string("type", "a"), o.integer("major"),
					o.integer("minor"), o.string("access", "rwm"));
		}

	}

	public record Seccomp(String defaultAction, Long defaultErrnoRet, List<String> architectures,
			List<String> flags, List<SeccompRule> syscalls) {

		static Seccomp read(JsonObject o) {
			return new Seccomp(o.requiredString("defaultAction"), o.integer("defaultErrnoRet"),
					o.strings("architectures"), o.strings("flags"), o.objects("syscalls", SeccompRule::read));
		}

	}

	public record SeccompRule(List<String> names, String action, Long errnoRet, List<SeccompArg> args) {

		static SeccompRule read(JsonObject o) {
			return new SeccompRule(o.strings("names"), o.requiredString("action"), o.integer("errnoRet"),
					o.objects("args", SeccompArg::read));
		}

	}

	public record SeccompArg(int index, long value, long valueTwo, String op) {

		static SeccompArg read(JsonObject o) {
			long index = o.integer("index", -1);
			if (index < 0 || index > 5) {
				throw new SpecException(o.fieldPath("index") + ": must be 0..5, got " + index);
			}
			return new SeccompArg((int) index, o.integer("value", 0), o.integer("valueTwo", 0), o.requiredString("op"));
		}

	}

}
