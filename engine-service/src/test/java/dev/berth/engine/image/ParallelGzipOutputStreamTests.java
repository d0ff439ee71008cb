package dev.berth.engine.image;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ParallelGzipOutputStreamTests {

	@TempDir
	Path temp;

	private static byte[] gzip(byte[] input) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(out)) {
			// odd write sizes, so that blocks are filled across writes
			for (int offset = 0; offset < input.length; offset += 77_777) {
				gzip.write(input, offset, Math.min(77_777, input.length - offset));
			}
		}
		return out.toByteArray();
	}

	/** Text that compresses, random bytes that do not, across several blocks. */
	private static byte[] mixed() {
		byte[] text = "busybox layers are mostly binaries and text files\n".repeat(60_000).getBytes(StandardCharsets.UTF_8);
		byte[] random = new byte[ParallelGzipOutputStream.BLOCK * 2 + 12345];
		new Random(42).nextBytes(random);
		byte[] mixed = new byte[text.length + random.length];
		System.arraycopy(text, 0, mixed, 0, text.length);
		System.arraycopy(random, 0, mixed, text.length, random.length);
		return mixed;
	}

	@Test
	void theMembersReadBackAsOneStreamWithTheJdkAndWithGnuGzip() throws IOException {
		byte[] input = mixed();
		byte[] compressed = gzip(input);
		try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
			assertThat(in.readAllBytes()).isEqualTo(input);
		}
		Path file = Files.write(this.temp.resolve("layer.gz"), compressed);
		TestArchives.run(List.of("gzip", "-d", "-k", file.toString()));
		assertThat(Files.readAllBytes(this.temp.resolve("layer"))).isEqualTo(input);
		// the text compresses; the random part is stored with a few bytes of framing per block
		int textLength = input.length - (ParallelGzipOutputStream.BLOCK * 2 + 12345);
		assertThat(compressed.length).isLessThan(input.length - textLength / 2)
			.isGreaterThan(input.length - textLength);
	}

	@Test
	void theOutputDependsOnTheInputOnly() throws IOException {
		byte[] input = mixed();
		assertThat(gzip(input)).isEqualTo(gzip(input));
	}

	@Test
	void anEmptyInputIsAValidEmptyGzip() throws IOException {
		byte[] compressed = gzip(new byte[0]);
		assertThat(compressed).isNotEmpty();
		try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
			assertThat(in.readAllBytes()).isEmpty();
		}
	}

}
