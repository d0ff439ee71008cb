package dev.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model of the cgroup filesystems on a temporary directory, for the parts the managers depend
 * on: mkdir fills a cgroup with its interface files, rmdir refuses a cgroup with processes or
 * children, writes follow the kernel's rules (memory+swap at or above memory in v1, a task needs
 * CPUs in a v1 cpuset, freezing takes a few reads) and are recorded in order.
 */
class FakeKernel extends CgroupFiles {

	static final String V1_UNLIMITED = "9223372036854771712";

	final Path tree;

	private final boolean v2;

	private final boolean swapAccounting;

	/** Every write, as "path/relative/to/tree=value". */
	final List<String> writes = new ArrayList<>();

	/** Per interface file name, the error of every write to it. */
	final Map<String, String> failures = new HashMap<>();

	/** Per cgroup, how many more rmdirs fail as busy. */
	final Map<Path, Integer> busy = new HashMap<>();

	int readsUntilFrozen = 2;

	boolean neverFreezes;

	private final Map<Path, Integer> freezing = new HashMap<>();

	private FakeKernel(Path tree, boolean v2, boolean swapAccounting) {
		this.tree = tree;
		this.v2 = v2;
		this.swapAccounting = swapAccounting;
	}

	/**
	 * v1 hierarchies like this machine's: one per controller, {@code systemd} for name=systemd.
	 */
	static FakeKernel v1(Path tree, boolean swapAccounting, String... hierarchies) throws IOException {
		FakeKernel kernel = new FakeKernel(tree, false, swapAccounting);
		for (String hierarchy : hierarchies) {
			Path root = tree.resolve(hierarchy);
			Files.createDirectories(root);
			kernel.populate(root);
			if (hierarchy.contains("cpuset")) {
				Files.writeString(root.resolve("cpuset.cpus"), "0-3\n");
				Files.writeString(root.resolve("cpuset.mems"), "0\n");
			}
		}
		return kernel;
	}

	static FakeKernel v1(Path tree) throws IOException {
		return v1(tree, true, "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd");
	}

	static Map<String, Path> v1Hierarchies(Path tree) {
		Map<String, Path> hierarchies = new LinkedHashMap<>();
		for (String name : List.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids")) {
			hierarchies.put(name, tree.resolve(name));
		}
		hierarchies.put("name=systemd", tree.resolve("systemd"));
		return hierarchies;
	}

	/**
	 * A cgroup2 root with the given controllers available and none enabled.
	 */
	static FakeKernel v2(Path tree, boolean swapAccounting, String controllers) throws IOException {
		FakeKernel kernel = new FakeKernel(tree, true, swapAccounting);
		Files.createDirectories(tree);
		Files.writeString(tree.resolve("cgroup.controllers"), controllers + "\n");
		Files.writeString(tree.resolve("cgroup.subtree_control"), "\n");
		Files.writeString(tree.resolve("cgroup.procs"), "1\n");
		return kernel;
	}

	/** Sets a file's content as the kernel would show it. */
	void put(Path file, String content) throws IOException {
		Files.writeString(file, content);
	}

	List<String> writesTo(String fileName) {
		String suffix = "/" + fileName + "=";
		return this.writes.stream()
			.filter((write) -> ("/" + write).contains(suffix))
			.map((write) -> write.substring(write.indexOf('=') + 1))
			.toList();
	}

	/** The names of the files written, in order, with their values: "memory.limit_in_bytes=1". */
	List<String> writtenFiles() {
		return this.writes.stream().map((write) -> {
			Path file = Path.of(write.substring(0, write.indexOf('=')));
			return file.getFileName() + write.substring(write.indexOf('='));
		}).toList();
	}

	@Override
	synchronized String readString(Path file) throws IOException {
		String name = file.getFileName().toString();
		Path dir = file.getParent();
		Integer reads = this.freezing.get(dir);
		if (reads != null && (name.equals("freezer.state") || name.equals("cgroup.events"))) {
			if (!this.neverFreezes && reads <= 1) {
				this.freezing.remove(dir);
				if (name.equals("freezer.state")) {
					Files.writeString(file, "FROZEN\n");
				}
				else {
					Files.writeString(file, "populated 1\nfrozen 1\n");
				}
			}
			else {
				this.freezing.put(dir, reads - 1);
			}
		}
		return Files.readString(file);
	}

	@Override
	synchronized void writeString(Path file, String value) throws IOException {
		if (!Files.exists(file)) {
			throw new NoSuchFileException(file.toString());
		}
		String name = file.getFileName().toString();
		if (this.failures.containsKey(name)) {
			throw new IOException(this.failures.get(name));
		}
		this.writes.add(this.tree.relativize(file) + "=" + value);
		Path dir = file.getParent();
		switch (name) {
			case "cgroup.procs" -> {
				if (!this.v2 && Files.exists(dir.resolve("cpuset.cpus"))
						&& (read(dir.resolve("cpuset.cpus")).isBlank() || read(dir.resolve("cpuset.mems")).isBlank())) {
					throw new IOException("No space left on device");
				}
				Files.writeString(file, Files.readString(file) + value + "\n");
			}
			case "memory.limit_in_bytes", "memory.memsw.limit_in_bytes" -> {
				String stored = value.equals("-1") ? V1_UNLIMITED : value;
				Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
				if (Files.exists(memsw)) {
					boolean isLimit = name.equals("memory.limit_in_bytes");
					Path limitFile = dir.resolve("memory.limit_in_bytes");
					long limit = Long.parseLong(isLimit ? stored : Files.readString(limitFile).strip());
					long memoryAndSwap = Long.parseLong(isLimit ? Files.readString(memsw).strip() : stored);
					if (memoryAndSwap < limit) {
						throw new IOException("Invalid argument");
					}
				}
				Files.writeString(file, stored + "\n");
			}
			case "freezer.state" -> {
				if (value.equals("FROZEN")) {
					if (!Files.readString(file).strip().equals("FROZEN")) {
						Files.writeString(file, "FREEZING\n");
						this.freezing.putIfAbsent(dir, this.readsUntilFrozen);
					}
				}
				else {
					this.freezing.remove(dir);
					Files.writeString(file, "THAWED\n");
				}
			}
			case "cgroup.freeze" -> {
				Files.writeString(file, value + "\n");
				if (value.equals("1")) {
					this.freezing.putIfAbsent(dir, this.readsUntilFrozen);
				}
				else {
					this.freezing.remove(dir);
					Files.writeString(dir.resolve("cgroup.events"), "populated 1\nfrozen 0\n");
				}
			}
			case "cgroup.subtree_control" -> {
				Set<String> enabled = V2Manager.words(Files.readString(file));
				String controller = value.substring(1);
				if (!V2Manager.words(Files.readString(dir.resolve("cgroup.controllers"))).contains(controller)) {
					throw new IOException("No such file or directory");
				}
				if (value.startsWith("+")) {
					enabled.add(controller);
				}
				else {
					enabled.remove(controller);
				}
				Files.writeString(file, String.join(" ", enabled) + "\n");
			}
			default -> Files.writeString(file, value + "\n");
		}
	}

	@Override
	synchronized void mkdir(Path dir) throws IOException {
		Files.createDirectory(dir);
		populate(dir);
	}

	@Override
	synchronized void rmdir(Path dir) throws IOException {
		if (!Files.isDirectory(dir)) {
			throw new NoSuchFileException(dir.toString());
		}
		int failures = this.busy.getOrDefault(dir, 0);
		if (failures > 0) {
			this.busy.put(dir, failures - 1);
			throw new FileSystemException(dir.toString(), null, "Device or resource busy");
		}
		if (!Files.readString(dir.resolve("cgroup.procs")).isBlank() || !children(dir).isEmpty()) {
			throw new FileSystemException(dir.toString(), null, "Device or resource busy");
		}
		try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
			for (Path file : files) {
				Files.delete(file);
			}
		}
		Files.delete(dir);
	}

	private void populate(Path dir) throws IOException {
		Map<String, String> files = new LinkedHashMap<>();
		files.put("cgroup.procs", "");
		if (this.v2) {
			populateV2(dir, files);
		}
		else {
			populateV1(this.tree.relativize(dir).getName(0).toString(), files);
		}
		for (Map.Entry<String, String> file : files.entrySet()) {
			Files.writeString(dir.resolve(file.getKey()), file.getValue());
		}
	}

	private void populateV1(String hierarchy, Map<String, String> files) {
		for (String controller : hierarchy.split(",")) {
			switch (controller) {
				case "cpu" -> {
					files.put("cpu.shares", "1024\n");
					files.put("cpu.cfs_quota_us", "-1\n");
					files.put("cpu.cfs_period_us", "100000\n");
					files.put("cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
				}
				case "cpuacct" -> {
					files.put("cpuacct.usage", "0\n");
					files.put("cpuacct.usage_percpu", "0 0 0 0 \n");
					files.put("cpuacct.stat", "user 0\nsystem 0\n");
				}
				case "cpuset" -> {
					files.put("cpuset.cpus", "\n");
					files.put("cpuset.mems", "\n");
				}
				case "memory" -> {
					files.put("memory.limit_in_bytes", V1_UNLIMITED + "\n");
					files.put("memory.soft_limit_in_bytes", V1_UNLIMITED + "\n");
					if (this.swapAccounting) {
						files.put("memory.memsw.limit_in_bytes", V1_UNLIMITED + "\n");
					}
					files.put("memory.usage_in_bytes", "0\n");
					files.put("memory.max_usage_in_bytes", "0\n");
					files.put("memory.stat", "cache 0\nrss 0\ntotal_cache 0\ntotal_rss 0\n");
					files.put("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
				}
				case "devices" -> {
					files.put("devices.allow", "");
					files.put("devices.deny", "");
					files.put("devices.list", "a *:* rwm\n");
				}
				case "freezer" -> files.put("freezer.state", "THAWED\n");
				case "pids" -> {
					files.put("pids.max", "max\n");
					files.put("pids.current", "0\n");
				}
				default -> {
					// blkio, name=systemd, ...: nothing the managers use
				}
			}
		}
	}

	private void populateV2(Path dir, Map<String, String> files) throws IOException {
		Set<String> controllers = V2Manager.words(Files.readString(dir.getParent().resolve("cgroup.subtree_control")));
		files.put("cgroup.controllers", String.join(" ", controllers) + "\n");
		files.put("cgroup.subtree_control", "\n");
		files.put("cgroup.freeze", "0\n");
		files.put("cgroup.events", "populated 0\nfrozen 0\n");
		files.put("cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
		for (String controller : controllers) {
			switch (controller) {
				case "cpu" -> {
					files.put("cpu.weight", "100\n");
					files.put("cpu.max", "max 100000\n");
					files.put("cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\n"
							+ "throttled_usec 0\n");
				}
				case "cpuset" -> {
					files.put("cpuset.cpus", "\n");
					files.put("cpuset.mems", "\n");
				}
				case "memory" -> {
					files.put("memory.max", "max\n");
					files.put("memory.low", "0\n");
					if (this.swapAccounting) {
						files.put("memory.swap.max", "max\n");
					}
					files.put("memory.current", "0\n");
					files.put("memory.peak", "0\n");
					files.put("memory.stat", "anon 0\nfile 0\n");
					files.put("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
				}
				case "pids" -> {
					files.put("pids.max", "max\n");
					files.put("pids.current", "0\n");
				}
				default -> {
				}
			}
		}
	}


}
