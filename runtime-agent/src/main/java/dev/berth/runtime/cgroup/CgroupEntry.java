package dev.berth.runtime.cgroup;

import java.nio.file.Path;
import java.util.List;

/**
 * How a process about to be forked enters a container's cgroup without waiting: it is born in the
 * cgroup2 directory ({@code clone3(2)} with {@code CLONE_INTO_CGROUP}), then writes itself into
 * each v1 hierarchy's {@code tasks} file. Moving a whole process by pid ({@code cgroup.procs})
 * takes the kernel's thread-group lock for writing, which first waits for an RCU grace period
 * (8–30 ms); neither of these does, as long as the process has one thread.
 *
 * @param bornIn the cgroup2 directory, or null on a host without cgroup2
 * @param selfJoinTasks the {@code tasks} files of the v1 hierarchies, empty on a cgroup2 host
 */
public record CgroupEntry(Path bornIn, List<Path> selfJoinTasks) {

	public CgroupEntry {
		selfJoinTasks = List.copyOf(selfJoinTasks);
	}

}
