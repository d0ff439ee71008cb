package dev.berth.runtime.seccomp;

import java.util.Locale;
import java.util.Set;

import dev.berth.runtime.spec.SpecException;

/**
 * The architectures a filter can hold rules for. x32 shares x86_64's audit architecture: the
 * kernel tells its system calls apart only by {@link #X32_SYSCALL_BIT} in the number.
 */
enum SeccompArch {

	X86_64("SCMP_ARCH_X86_64", 0xC000003E, "x86_64"),

	X86("SCMP_ARCH_X86", 0x40000003, "x86"),

	X32("SCMP_ARCH_X32", 0xC000003E, "x32"),

	AARCH64("SCMP_ARCH_AARCH64", 0xC00000B7, "aarch64");

	/** Set in {@code seccomp_data.nr} for every x32 system call. */
	static final int X32_SYSCALL_BIT = 0x40000000;

	/**
	 * Architectures the runtime spec names but Berth has no system call table for. Profiles list
	 * them next to the host's own (Docker's arm64 profile adds ARM), so they are skipped rather
	 * than rejected; their system calls then get the bad-architecture action.
	 */
	private static final Set<String> WITHOUT_TABLE = Set.of("SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
			"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
			"SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
			"SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH",
			"SCMP_ARCH_SHEB");

	private final String token;

	private final int auditArch;

	private final String tableName;

	SeccompArch(String token, int auditArch, String tableName) {
		this.token = token;
		this.auditArch = auditArch;
		this.tableName = tableName;
	}

	/** The runtime spec's name, {@code SCMP_ARCH_X86_64} for example. */
	String token() {
		return this.token;
	}

	/** The {@code AUDIT_ARCH_*} value the kernel puts in {@code seccomp_data.arch}. */
	int auditArch() {
		return this.auditArch;
	}

	String tableName() {
		return this.tableName;
	}

	/** Returns the architecture for a spec token, or {@code null} if it is known but has no table. */
	static SeccompArch forToken(String token, String field) {
		for (SeccompArch arch : values()) {
			if (arch.token.equals(token)) {
				return arch;
			}
		}
		if (WITHOUT_TABLE.contains(token)) {
			return null;
		}
		throw new SpecException(field + ": unknown architecture \"" + token + "\"");
	}

	/**
	 * The host's architecture, from a spec token or from the names {@code os.arch} and
	 * {@code uname -m} use.
	 */
	static SeccompArch forHost(String name) {
		String normalized = name.toLowerCase(Locale.ROOT);
		return switch (normalized) {
			case "x86_64", "amd64", "scmp_arch_x86_64" -> X86_64;
			case "aarch64", "arm64", "scmp_arch_aarch64" -> AARCH64;
			case "x86", "i386", "i486", "i586", "i686", "scmp_arch_x86" -> X86;
			default -> throw new SpecException(
					"linux.seccomp: seccomp filters are not supported on the host architecture \"" + name + "\"");
		};
	}

}
