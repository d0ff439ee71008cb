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
			assertThat(Sha256.newDigest().digest(content)).as("%d bytes", length).isEqualTo(jdk().digest(content));
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
		assertThat(digest.digest()).isEqualTo(jdk().digest(content));

		digest.update(content[0]);
		digest.update(ByteBuffer.wrap(content, 1, 99_999));
		ByteBuffer direct = ByteBuffer.allocateDirect(100_000).put(content, 100_000, 100_000).flip();
		digest.update(direct);
		assertThat(digest.digest()).isEqualTo(jdk().digest(content));
	}

	@Test
	void digestAndResetStartAfresh() throws Exception {
		byte[] first = randomBytes(1000);
		byte[] second = randomBytes(3000);
		MessageDigest digest = Sha256.newDigest();
		digest.update(first);
		digest.digest();
		assertThat(digest.digest(second)).isEqualTo(jdk().digest(second));
		digest.update(first);
		digest.reset();
		assertThat(digest.digest(second)).isEqualTo(jdk().digest(second));
	}

	@Test
	void aCloneGoesOnFromWhereTheOriginalWas() throws Exception {
		byte[] head = randomBytes(5000);
		byte[] tail = randomBytes(7000);
		MessageDigest original = Sha256.newDigest();
		original.update(head);
		MessageDigest copy = (MessageDigest) original.clone();
		copy.update(tail);
		assertThat(original.digest()).isEqualTo(jdk().digest(head));
		MessageDigest whole = jdk();
		whole.update(head);
		whole.update(tail);
		assertThat(copy.digest()).isEqualTo(whole.digest());
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

	private static MessageDigest jdk() throws Exception {
		return MessageDigest.getInstance("SHA-256", "SUN");
	}

}
