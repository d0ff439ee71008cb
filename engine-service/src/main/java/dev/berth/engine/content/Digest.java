package dev.berth.engine.content;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;

import dev.berth.contracts.digest.Sha256;

/**
 * A content digest, {@code sha256:<64 hex>}: the only algorithm registries and Docker use for
 * images. Anything else is refused up front so that no path is ever built from an unchecked
 * string.
 */
public record Digest(String hex) {

	private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

	public Digest {
		if (hex == null || hex.length() != 64 || !SHA256.matcher("sha256:" + hex).matches()) {
			throw new IllegalArgumentException("invalid digest hex \"" + hex + "\"");
		}
	}

	/** Parses {@code sha256:<hex>}; throws {@link InvalidDigestException} with the offending text. */
	public static Digest parse(String text) {
		if (text == null || !SHA256.matcher(text).matches()) {
			throw new InvalidDigestException("invalid digest \"" + text + "\": expected sha256:<64 lowercase hex digits>");
		}
		return new Digest(text.substring("sha256:".length()));
	}

	/** The digest of a whole byte array (manifests, configs). */
	public static Digest of(byte[] content) {
		return new Digest(HexFormat.of().formatHex(newSha256().digest(content)));
	}

	/** The digest a finished {@link MessageDigest} (from {@link #newSha256()}) computed. */
	public static Digest of(MessageDigest finished) {
		return new Digest(HexFormat.of().formatHex(finished.digest()));
	}

	public static MessageDigest newSha256() {
		return Sha256.newDigest();
	}

	/** The first 12 hex digits, as Docker shows IDs and layers. */
	public String shortId() {
		return this.hex.substring(0, 12);
	}

	@Override
	public String toString() {
		return "sha256:" + this.hex;
	}

}
