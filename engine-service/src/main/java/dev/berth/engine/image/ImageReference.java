package dev.berth.engine.image;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference resolved the way Docker resolves it: {@code busybox} is
 * {@code docker.io/library/busybox:latest}, the first path component is a registry only when it
 * looks like a host ({@code .} or {@code :} in it, or {@code localhost}), and a digest pins the
 * content whatever the tag says.
 *
 * @param registry the registry host (and port): {@code docker.io}, {@code localhost:5000}
 * @param repository the repository path in that registry: {@code library/busybox}
 * @param tag the tag, or null when only a digest was given
 * @param digest {@code sha256:<hex>}, or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

	public static final String DOCKER_HUB = "docker.io";

	private static final String DEFAULT_TAG = "latest";

	private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

	private static final Pattern HOST = Pattern
		.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*"
				+ "(?::[0-9]+)?|\\[[a-fA-F0-9:]+\\](?::[0-9]+)?");

	private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

	private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");

	private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

	/** The longest name Docker accepts, registry included. */
	private static final int MAX_NAME_LENGTH = 255;

	/** Parses a reference as {@code docker pull} takes it; throws {@link InvalidReferenceException}. */
	public static ImageReference parse(String text) {
		if (text == null || text.isEmpty()) {
			throw new InvalidReferenceException("invalid reference format: the reference is empty");
		}
		String rest = text;
		String digest = null;
		int at = rest.indexOf('@');
		if (at >= 0) {
			digest = rest.substring(at + 1);
			rest = rest.substring(0, at);
			if (!DIGEST.matcher(digest).matches()) {
				throw new InvalidReferenceException("invalid reference format: bad digest \"" + digest + "\"");
			}
			if (digest.startsWith("sha256:") && !SHA256.matcher(digest).matches()) {
				throw new InvalidReferenceException(
						"invalid reference format: a sha256 digest has 64 lowercase hex digits, got \"" + digest + "\"");
			}
		}
		String tag = null;
		int lastColon = rest.lastIndexOf(':');
		if (lastColon > rest.lastIndexOf('/')) {
			tag = rest.substring(lastColon + 1);
			rest = rest.substring(0, lastColon);
			if (!TAG.matcher(tag).matches()) {
				throw new InvalidReferenceException("invalid reference format: bad tag \"" + tag + "\"");
			}
		}
		String registry = DOCKER_HUB;
		String path = rest;
		int slash = rest.indexOf('/');
		if (slash > 0) {
			String first = rest.substring(0, slash);
			if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
				if (!HOST.matcher(first).matches()) {
					throw new InvalidReferenceException("invalid reference format: bad registry \"" + first + "\"");
				}
				registry = first.equals("index.docker.io") ? DOCKER_HUB : first;
				path = rest.substring(slash + 1);
			}
		}
		if (!path.equals(path.toLowerCase(Locale.ROOT))) {
			throw new InvalidReferenceException(
					"invalid reference format: repository name (" + path + ") must be lowercase");
		}
		for (String component : path.split("/", -1)) {
			if (!COMPONENT.matcher(component).matches()) {
				throw new InvalidReferenceException("invalid reference format: bad repository name \"" + path + "\"");
			}
		}
		if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
			// Docker Hub's official images live under library/
			path = "library/" + path;
		}
		if ((registry + "/" + path).length() > MAX_NAME_LENGTH) {
			throw new InvalidReferenceException(
					"invalid reference format: repository name must not be more than " + MAX_NAME_LENGTH + " characters");
		}
		if (tag == null && digest == null) {
			tag = DEFAULT_TAG;
		}
		return new ImageReference(registry, path, tag, digest);
	}

	/** The repository with its registry: {@code docker.io/library/busybox}. */
	public String name() {
		return this.registry + "/" + this.repository;
	}

	/**
	 * The short form Docker shows: {@code busybox}, {@code user/app}, {@code localhost:5000/app}
	 * (Docker Hub's registry and {@code library/} left out).
	 */
	public String familiarName() {
		if (!this.registry.equals(DOCKER_HUB)) {
			return name();
		}
		return this.repository.startsWith("library/") ? this.repository.substring("library/".length())
				: this.repository;
	}

	/** {@code busybox:latest}, {@code app@sha256:…}, {@code app:1.0@sha256:…}. */
	public String familiarString() {
		return familiarName() + ((this.tag != null) ? ":" + this.tag : "") + ((this.digest != null) ? "@" + this.digest : "");
	}

	@Override
	public String toString() {
		return name() + ((this.tag != null) ? ":" + this.tag : "") + ((this.digest != null) ? "@" + this.digest : "");
	}

}
