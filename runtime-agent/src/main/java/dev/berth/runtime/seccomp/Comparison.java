package dev.berth.runtime.seccomp;

import dev.berth.runtime.spec.SpecException;

/** The spec's {@code SCMP_CMP_*} operators; all compare unsigned 64-bit values. */
enum Comparison {

	NOT_EQUAL("SCMP_CMP_NE"),

	LESS("SCMP_CMP_LT"),

	LESS_OR_EQUAL("SCMP_CMP_LE"),

	EQUAL("SCMP_CMP_EQ"),

	GREATER_OR_EQUAL("SCMP_CMP_GE"),

	GREATER("SCMP_CMP_GT"),

	/** {@code (arg & value) == valueTwo}. */
	MASKED_EQUAL("SCMP_CMP_MASKED_EQ");

	private final String token;

	Comparison(String token) {
		this.token = token;
	}

	static Comparison forToken(String token, String field) {
		if (token == null) {
			throw new SpecException(field + ": required");
		}
		for (Comparison comparison : values()) {
			if (comparison.token.equals(token)) {
				return comparison;
			}
		}
		throw new SpecException(field + ": unknown operator \"" + token + "\"");
	}

}
