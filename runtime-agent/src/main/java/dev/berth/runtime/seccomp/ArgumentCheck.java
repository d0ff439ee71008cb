package dev.berth.runtime.seccomp;

/**
 * One condition on a system call argument: {@code args[index] <comparison> value}, or for
 * {@link Comparison#MASKED_EQUAL} {@code (args[index] & value) == valueTwo}.
 */
record ArgumentCheck(int index, Comparison comparison, long value, long valueTwo) {

	/** Offset of {@code seccomp_data.args[index]}'s low 32 bits (little-endian hosts only). */
	int lowWordOffset() {
		return 16 + 8 * this.index;
	}

	int highWordOffset() {
		return lowWordOffset() + 4;
	}

}
