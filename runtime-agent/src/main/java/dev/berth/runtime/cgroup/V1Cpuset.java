package dev.berth.runtime.cgroup;

import java.nio.file.Path;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * The v1 cpuset controller. A new v1 cpuset starts with no CPUs and no memory nodes (unless the
 * parent has {@code cgroup.clone_children}), and the kernel refuses tasks into it with
 * {@code ENOSPC}; so every level is given its parent's sets as it is created.
 */
final class V1Cpuset {

	static final String CPUS = "cpuset.cpus";

	static final String MEMS = "cpuset.mems";

	private final CgroupFiles files;

	V1Cpuset(CgroupFiles files) {
		this.files = files;
	}

	/**
	 * Copies the parent's CPUs and memory nodes to a cgroup that has none; the hierarchy's root
	 * always has them.
	 */
	void inherit(Path root, Path dir) {
		if (dir.equals(root)) {
			return;
		}
		for (String file : new String[] { CPUS, MEMS }) {
			if (this.files.read(dir.resolve(file)).isBlank()) {
				this.files.write(dir.resolve(file), this.files.read(dir.getParent().resolve(file)).strip());
			}
		}
	}

	void set(Path dir, Resources r) {
		if (ResourceChecks.isSet(r.cpusetCpus())) {
			this.files.write(dir.resolve(CPUS), r.cpusetCpus());
		}
		if (ResourceChecks.isSet(r.cpusetMems())) {
			this.files.write(dir.resolve(MEMS), r.cpusetMems());
		}
	}

}
