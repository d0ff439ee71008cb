package dev.berth.contracts.digest;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** libcrypto's SHA-256 against the JDK's, which is the reference. */
class Sha256Tests {

	private static final Random RANDOM = new Random(4);

	private final byte[] head = randomBytes(5000);

	private final byte[] tail = randomBytes(7000);

	@Test
	void libcryptoIsHereAndHashes() throws Exception {
		// scripts/install-deps.sh installs it: without, Berth would hash through the JDK, slowly under C1
		assertThat(Sha256.isNative()).isTrue();
		assertThat(Sha256.newDigest()).isInstanceOf(LibCryptoSha256.class);
		assertThat(HexFormat.of().formatHex(Sha256.newDigest().digest("abc".getBytes())))
			.isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}

	@Test
	void everyLengthAroundTheBlockSizeHashesAsTheJdks() throws Exception {
		for (int length : new int[] { 0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 65536, 1 << 20 }) {
			byte[] content = randomBytes(length);
			assertThat(Sha256.newDigest().digest(content)).as("%d bytes", length).isEqualTo(jdkSha256(content));
		}
	}

	@Test
	void piecesSlicesSingleBytesAndBuffersAddUpToTheWhole() throws Exception {
		byte[] content = randomBytes(200_000);
		MessageDigest digest = Sha256.newDigest();
		int offset = 0;
		while (offset < content.length) {
			int piece = Math.min(content.length - offset, 1 + RANDOM.nextInt(70_000));
			digest.update(content, offset, piece);
			offset += piece;
		}
		assertThat(digest.digest()).isEqualTo(jdkSha256(content));

		digest.update(content[0]);
		digest.update(ByteBuffer.wrap(content, 1, 99_999));
		ByteBuffer direct = ByteBuffer.allocateDirect(100_000).put(content, 100_000, 100_000).flip();
		digest.update(direct);
		assertThat(digest.digest()).isEqualTo(jdkSha256(content));
	}

	@Test
	void digestAndResetStartAfresh() throws Exception {
		MessageDigest digest = Sha256.newDigest();
		digest.digest(this.head);
		assertThat(digest.digest(this.tail)).isEqualTo(jdkSha256(this.tail));
		digest.update(this.head);
		digest.reset();
		assertThat(digest.digest(this.tail)).isEqualTo(jdkSha256(this.tail));
	}

	@Test
	void aCloneGoesOnFromWhereTheOriginalWas() throws Exception {
		MessageDigest original = Sha256.newDigest();
		original.update(this.head);
		MessageDigest copy = (MessageDigest) original.clone();
		copy.update(this.tail);
		assertThat(original.digest()).isEqualTo(jdkSha256(this.head));
		assertThat(copy.digest()).isEqualTo(jdkSha256(this.head, this.tail));
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

	/** The JDK's SHA-256 of the parts one after the other: the reference. */
	private static byte[] jdkSha256(byte[]... parts) throws Exception {
		MessageDigest digest = MessageDigest.getInstance("SHA-256", "SUN");
		for (byte[] part : parts) {
			digest.update(part);
		}
		return digest.digest();
	}

}
