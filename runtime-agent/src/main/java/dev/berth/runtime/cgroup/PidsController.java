package dev.berth.runtime.cgroup;

import java.nio.file.Path;

import dev.berth.runtime.spec.RuntimeSpec.Resources;

/**
 * The pids controller; its files are the same in v1 and v2.
 */
final class PidsController {

	private final CgroupFiles files;

	PidsController(CgroupFiles files) {
		this.files = files;
	}

	void set(Path dir, Resources r) {
		if (r.pidsLimit() != null) {
			this.files.write(dir.resolve("pids.max"), value(r.pidsLimit()));
		}
	}

	CgroupStats.Pids stats(Path dir) {
		return new CgroupStats.Pids(this.files.readLong(dir.resolve("pids.current"), 0),
				this.files.readLong(dir.resolve("pids.max"), CgroupStats.UNLIMITED));
	}

	/** OCI's 0 or -1 is no limit, which the file spells {@code max}. */
	static String value(long limit) {
		return ResourceChecks.isUnlimited(limit) ? "max" : Long.toString(limit);
	}

}
