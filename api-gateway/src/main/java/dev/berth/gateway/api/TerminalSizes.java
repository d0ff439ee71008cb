package dev.berth.gateway.api;

/** The {@code h} and {@code w} of a resize (a container's terminal, an exec's). */
public final class TerminalSizes {

	private TerminalSizes() {
	}

	/** {@code value} of the parameter {@code name}, which a terminal can have: not negative. */
	public static int dimension(String name, int value) {
		if (value < 0) {
			throw new InvalidParameterException("invalid value for " + name + ": " + value);
		}
		return value;
	}

}
