package dev.berth.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How entry names are read ({@link EntryPath}) and blobs recognized ({@link Compression}): no kernel involved. */
class LayerUnpackNamesTests {

	@Test
	void namesAreCleanedBelowTheRoot() throws LayerUnpackException {
		assertThat(parse("usr/bin/env").components()).containsExactly("usr", "bin", "env");
		assertThat(parse("./usr//bin/").components()).containsExactly("usr", "bin");
		assertThat(parse("/etc/passwd").components()).containsExactly("etc", "passwd");
		assertThat(parse("//etc/../var/./log").components()).containsExactly("var", "log");
		assertThat(parse("a/b/..").components()).containsExactly("a");
		assertThat(parse("..foo/.wh...").components()).containsExactly("..foo", ".wh...");
	}

	@ParameterizedTest
	@ValueSource(strings = { ".", "./", "/", "", "a/.." })
	void theseNameTheRoot(String name) throws LayerUnpackException {
		assertThat(parse(name).isRoot()).isTrue();
		assertThat(parse(name)).hasToString(".");
	}

	@ParameterizedTest
	@ValueSource(strings = { "..", "../x", "a/../../x", "/../x", "//..//x", "a/b/../../..", "./.." })
	void namesThatClimbAboveTheRootAreRefused(String name) {
		assertThatExceptionOfType(LayerUnpackException.class).isThrownBy(() -> parse(name))
			.withMessage("layer entry \"" + name + "\": name \"" + name + "\" climbs above the layer root");
	}

	@Test
	void lengthsAreCountedInBytesAgainstTheKernelsLimits() throws LayerUnpackException {
		assertThat(parse("x".repeat(255)).components()).hasSize(1);
		String deep = ("y".repeat(254) + "/").repeat(16); // 4080 bytes
		assertThat(parse(deep + "z".repeat(15)).depth()).isEqualTo(17);
		assertThatExceptionOfType(LayerUnpackException.class).isThrownBy(() -> parse("x".repeat(256)))
			.withMessageEndingWith("name has a component of 256 bytes; NAME_MAX allows 255");
		assertThatExceptionOfType(LayerUnpackException.class).isThrownBy(() -> parse("ü".repeat(128)))
			.withMessageEndingWith("component of 256 bytes; NAME_MAX allows 255");
		assertThatExceptionOfType(LayerUnpackException.class)
			.isThrownBy(() -> parse(deep + "z".repeat(16)))
			.withMessageEndingWith("name is 4096 bytes long; PATH_MAX (4096 with the terminating NUL) allows 4095");
		assertThatExceptionOfType(LayerUnpackException.class).isThrownBy(() -> parse("a\0b"))
			.withMessageEndingWith("name contains a NUL byte");
	}

	@Test
	void messagesShowTheStartOfAnOverlongName() {
		String name = "n".repeat(300);
		assertThatExceptionOfType(LayerUnpackException.class).isThrownBy(() -> parse(name))
			.withMessageStartingWith("layer entry \"" + "n".repeat(200) + "…\": ")
			.satisfies((ex) -> assertThat(ex.entry()).isEqualTo(name));
	}

	@Test
	void withinMeansItselfOrBelow() throws LayerUnpackException {
		assertThat(parse("a/b").isWithin(parse("a"))).isTrue();
		assertThat(parse("a").isWithin(parse("a"))).isTrue();
		assertThat(parse("ab").isWithin(parse("a"))).isFalse();
		assertThat(parse("a").isWithin(EntryPath.ROOT)).isTrue();
		assertThat(parse("a").isWithin(parse("a/b"))).isFalse();
	}

	@Test
	void compressionIsReadFromTheMagicBytes() throws LayerUnpackException {
		assertThat(detect(0x1f, 0x8b, 0x08, 0)).isEqualTo(Compression.GZIP);
		assertThat(detect(0x28, 0xb5, 0x2f, 0xfd, 0x04)).isEqualTo(Compression.ZSTD);
		assertThat(detect(0x5e, 0x2a, 0x4d, 0x18, 4, 0)).isEqualTo(Compression.ZSTD); // a skippable frame first
		assertThat(detect('e', 't', 'c', '/', 0, 0)).isEqualTo(Compression.NONE);
		assertThat(detect(0x1f)).isEqualTo(Compression.NONE);
		assertThat(detect()).isEqualTo(Compression.NONE);
	}

	@Test
	void legacyCompressionsAreRefusedByName() {
		assertThatExceptionOfType(LayerUnpackException.class).isThrownBy(() -> detect('B', 'Z', 'h', '9'))
			.withMessageContaining("bzip2");
		assertThatExceptionOfType(LayerUnpackException.class)
			.isThrownBy(() -> detect(0xfd, '7', 'z', 'X', 'Z', 0))
			.withMessageContaining("xz");
	}

	private static EntryPath parse(String name) throws LayerUnpackException {
		return EntryPath.parse(name, name, "name");
	}

	private static Compression detect(int... bytes) throws LayerUnpackException {
		byte[] head = new byte[bytes.length];
		for (int i = 0; i < bytes.length; i++) {
			head[i] = (byte) bytes[i];
		}
		return Compression.detect(head, head.length);
	}

}
