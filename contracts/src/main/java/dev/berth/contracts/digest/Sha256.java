package dev.berth.contracts.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 for the content Berth pulls, stores and unpacks: every byte of every layer, twice (as
 * stored, and as unpacked for its diff ID). OpenSSL's libcrypto when the machine has it (its
 * assembly uses the CPU's SHA extensions), else the JDK's. The JDK's is as fast only once C2 has
 * compiled it to its intrinsic; the one-JVM berthd runs C1 alone when libcrypto is here (see
 * {@code bin/berthd}), where the JDK's makes 80 MB/s.
 */
public final class Sha256 {

	private Sha256() {
	}

	/** A fresh SHA-256 digest: libcrypto's when it loaded, else the JDK's. */
	public static MessageDigest newDigest() {
		if (LibCrypto.AVAILABLE) {
			return new LibCryptoSha256();
		}
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JDK has SHA-256", ex);
		}
	}

	/** Whether {@link #newDigest()} hashes with libcrypto. */
	public static boolean isNative() {
		return LibCrypto.AVAILABLE;
	}

}
