package dev.berth.runtime.seccomp;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.berth.runtime.spec.RuntimeSpec;

/**
 * Compiled seccomp programs by profile, for a process that starts many containers (the node
 * shim): nearly all of them carry the same profile (Docker's default, 375 system call names on
 * three architectures), so it is compiled once, in a JVM whose compiler is warm, instead of once
 * per container in each container init's fresh JVM. Profiles are compared by value, so any
 * change to a profile is a different entry; the least recently used entry goes past
 * {@link #CAPACITY}.
 */
public final class SeccompPrograms {

	/** A node sees a handful of distinct profiles; a program is about 10 KiB. */
	static final int CAPACITY = 32;

	private final Map<RuntimeSpec.Seccomp, SeccompProgram> programs = new LinkedHashMap<>(CAPACITY, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<RuntimeSpec.Seccomp, SeccompProgram> eldest) {
			return size() > CAPACITY;
		}

	};

	/**
	 * The program of {@code profile} for this host.
	 * @throws dev.berth.runtime.spec.SpecException naming the field, if the profile cannot be compiled
	 */
	public SeccompProgram compile(RuntimeSpec.Seccomp profile) {
		synchronized (this.programs) {
			SeccompProgram known = this.programs.get(profile);
			if (known != null) {
				return known;
			}
		}
		// outside the lock: two containers with the same new profile may both compile it, and
		// neither waits for the other's profile
		SeccompProgram compiled = SeccompCompiler.compile(profile);
		synchronized (this.programs) {
			this.programs.put(profile, compiled);
		}
		return compiled;
	}

	int size() {
		synchronized (this.programs) {
			return this.programs.size();
		}
	}

}
