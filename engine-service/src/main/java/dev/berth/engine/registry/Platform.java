package dev.berth.engine.registry;

import java.util.Locale;

/**
 * An image platform as manifest lists name it. Architectures are normalized the way Docker does
 * ({@code x86_64} is {@code amd64}, {@code aarch64} is {@code arm64}, whose variant {@code v8} is
 * the default), so that the host's JVM names match registry names.
 *
 * @param os {@code linux}
 * @param architecture {@code amd64}, {@code arm64}, {@code arm}…
 * @param variant {@code v7}, {@code v8}, or null when unspecified
 */
public record Platform(String os, String architecture, String variant) {

	public Platform {
		os = (os == null || os.isEmpty()) ? "linux" : os.toLowerCase(Locale.ROOT);
		architecture = normalizeArchitecture(architecture);
		variant = normalizeVariant(architecture, variant);
	}

	/** The platform this engine runs containers for. */
	public static Platform host() {
		return new Platform("linux", System.getProperty("os.arch"), null);
	}

	/** Parses {@code docker pull --platform}'s form, {@code linux/arm64/v8} or {@code linux/amd64}. */
	public static Platform parse(String text) {
		String[] parts = text.trim().split("/");
		if (parts.length < 1 || parts.length > 3 || parts[0].isEmpty()) {
			throw new IllegalArgumentException("invalid platform \"" + text + "\": expected os[/arch[/variant]]");
		}
		String architecture = (parts.length > 1) ? parts[1] : System.getProperty("os.arch");
		return new Platform(parts[0], architecture, (parts.length > 2) ? parts[2] : null);
	}

	/** True when an image built for {@code candidate} runs here; an unspecified variant matches any. */
	public boolean accepts(Platform candidate) {
		return this.os.equals(candidate.os) && this.architecture.equals(candidate.architecture)
				&& (this.variant == null || this.variant.equals(candidate.variant));
	}

	@Override
	public String toString() {
		return this.os + "/" + this.architecture + ((this.variant != null) ? "/" + this.variant : "");
	}

	private static String normalizeArchitecture(String architecture) {
		String arch = (architecture == null) ? "" : architecture.toLowerCase(Locale.ROOT);
		return switch (arch) {
			case "x86_64", "x86-64", "amd64" -> "amd64";
			case "aarch64", "arm64" -> "arm64";
			case "i386", "i686", "x86", "386" -> "386";
			case "armhf", "armel", "arm" -> "arm";
			default -> arch;
		};
	}

	private static String normalizeVariant(String architecture, String variant) {
		if (variant == null || variant.isEmpty()) {
			return null;
		}
		String lower = variant.toLowerCase(Locale.ROOT);
		// arm64 has one variant in practice; registries write it or leave it out
		return ("arm64".equals(architecture) && ("v8".equals(lower) || "8".equals(lower))) ? null : lower;
	}

}
