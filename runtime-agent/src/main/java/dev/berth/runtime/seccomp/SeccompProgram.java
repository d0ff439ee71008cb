package dev.berth.runtime.seccomp;

/**
 * A compiled seccomp filter, ready for {@code seccomp(SECCOMP_SET_MODE_FILTER, flags(), &fprog)}
 * where {@code fprog} is a {@code struct sock_fprog} of {@link #instructionCount()} and a pointer
 * to a copy of {@link #filter()}.
 */
public final class SeccompProgram {

	/**
	 * Apply the filter to every thread of the process. The spec asks for it, but a container
	 * init that loads the filter on its only remaining thread right before {@code execve} does
	 * not need it; whoever loads the filter decides.
	 */
	public static final int FLAG_TSYNC = 1;

	/** Log every action other than ALLOW. */
	public static final int FLAG_LOG = 2;

	/** Leave speculative store bypass mitigation off. */
	public static final int FLAG_SPEC_ALLOW = 4;

	private final byte[] filter;

	private final int flags;

	SeccompProgram(byte[] filter, int flags) {
		this.filter = filter;
		this.flags = flags;
	}

	/**
	 * A program compiled elsewhere (by the shim, for the container init it hands it to), checked
	 * for the shape the kernel takes: whole instructions, at least one, at most
	 * {@link SeccompCompiler#MAX_INSTRUCTIONS}.
	 */
	public static SeccompProgram of(byte[] filter, int flags) {
		int size = BpfAssembler.INSTRUCTION_SIZE;
		if (filter.length == 0 || filter.length % size != 0
				|| filter.length / size > SeccompCompiler.MAX_INSTRUCTIONS) {
			throw new IllegalArgumentException("a seccomp program of " + filter.length + " bytes is not 1 to "
					+ SeccompCompiler.MAX_INSTRUCTIONS + " instructions of " + size + " bytes");
		}
		return new SeccompProgram(filter.clone(), flags);
	}

	/**
	 * The {@code struct sock_filter} array: 8 bytes an instruction ({@code u16 code, u8 jt,
	 * u8 jf, u32 k}), little-endian, as on x86 and arm64 hosts. A copy, free to modify.
	 */
	public byte[] filter() {
		return this.filter.clone();
	}

	public int instructionCount() {
		return this.filter.length / BpfAssembler.INSTRUCTION_SIZE;
	}

	/** The {@code SECCOMP_FILTER_FLAG_*} bits the spec asks for: {@link #FLAG_TSYNC} and others. */
	public int flags() {
		return this.flags;
	}

	@Override
	public String toString() {
		return "SeccompProgram[" + instructionCount() + " instructions, flags=" + this.flags + "]";
	}

}
