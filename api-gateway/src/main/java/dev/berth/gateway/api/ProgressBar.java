package dev.berth.gateway.api;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The text of a progress line, {@code [=====>      ]  1.05MB/2.1MB}, for clients that print {@code progress} rather
 * than draw their own bar from {@code progressDetail} (the CLI does the latter on a terminal).
 */
final class ProgressBar {

	private static final int WIDTH = 50;

	private static final String[] UNITS = { "B", "kB", "MB", "GB", "TB", "PB" };

	private ProgressBar() {
	}

	static String render(long current, long total) {
		if (total <= 0) {
			return humanSize(current);
		}
		int done = (int) Math.min(WIDTH, WIDTH * current / total);
		// the bytes done right-aligned in eight columns, so the line does not jitter as they grow
		return "[" + "=".repeat(done) + ">" + " ".repeat(WIDTH - done) + "] " + "%8s/%s".formatted(humanSize(current),
				humanSize(total));
	}

	// docker's units.HumanSize: decimal units, four significant digits, no trailing zeros
	static String humanSize(long bytes) {
		double size = bytes;
		int unit = 0;
		while (size >= 1000 && unit < UNITS.length - 1) {
			size /= 1000;
			unit++;
		}
		String digits = new BigDecimal(size).round(new MathContext(4)).stripTrailingZeros().toPlainString();
		return digits + UNITS[unit];
	}

}
