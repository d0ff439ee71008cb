package dev.berth.engine.content;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContentStoreTests {

	@TempDir
	Path root;

	@Test
	void putStoresBytesUnderTheirDigest() throws IOException {
		ContentStore store = new ContentStore(this.root);
		byte[] content = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
		Digest digest = store.put(content);
		assertThat(digest.toString()).isEqualTo("sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
		assertThat(store.has(digest)).isTrue();
		assertThat(store.size(digest)).isEqualTo(content.length);
		assertThat(store.read(digest, 100)).isEqualTo(content);
		try (InputStream in = store.open(digest, 5)) {
			assertThat(in.readAllBytes()).isEqualTo("1}".getBytes(StandardCharsets.UTF_8));
		}
		assertThat(store.list()).containsExactly(digest);
		assertThatThrownBy(() -> store.read(digest, 3)).isInstanceOf(ContentException.class).hasMessageContaining("more than the 3");
	}

	@Test
	void interruptedWriteResumesFromTheKeptPrefix() throws IOException {
		ContentStore store = new ContentStore(this.root);
		byte[] blob = randomBytes(300_000);
		Digest digest = Digest.of(blob);
		try (Ingest first = store.ingest(digest, blob.length)) {
			assertThat(first.offset()).isZero();
			first.write(blob, 0, 123_456);
		}
		assertThat(store.has(digest)).isFalse();
		try (Ingest second = new ContentStore(this.root).ingest(digest, blob.length)) {
			assertThat(second.offset()).isEqualTo(123_456);
			second.writeAll(new ByteArrayInputStream(blob, 123_456, blob.length - 123_456));
			second.commit();
		}
		assertThat(store.read(digest, blob.length)).isEqualTo(blob);
		assertThat(this.root.resolve("ingest")).isEmptyDirectory();
	}

	@Test
	void wrongBytesAreNeverCommitted() {
		ContentStore store = new ContentStore(this.root);
		byte[] blob = randomBytes(1000);
		Digest digest = Digest.of(blob);
		byte[] corrupt = blob.clone();
		corrupt[500] ^= 1;
		Ingest ingest = store.ingest(digest, blob.length);
		ingest.write(corrupt, 0, corrupt.length);
		assertThatThrownBy(ingest::commit).isInstanceOf(ContentException.class)
			.hasMessageContaining("digest mismatch: expected " + digest);
		assertThat(store.has(digest)).isFalse();
		assertThat(this.root.resolve("ingest")).isEmptyDirectory();
		// the writer slot was released: the next attempt starts from nothing
		try (Ingest retry = store.ingest(digest, blob.length)) {
			assertThat(retry.offset()).isZero();
		}
	}

	@Test
	void aBlobLargerThanItsDescriptorIsRefusedAtOnce() {
		ContentStore store = new ContentStore(this.root);
		byte[] blob = randomBytes(100);
		Ingest ingest = store.ingest(Digest.of(blob), 99);
		assertThatThrownBy(() -> ingest.write(blob, 0, blob.length)).isInstanceOf(ContentException.class)
			.hasMessageContaining("larger than the 99 bytes");
		assertThatThrownBy(() -> store.ingest(Digest.of(blob), 100).commit()).isInstanceOf(ContentException.class)
			.hasMessageContaining("ended after 0 of 100 bytes");
		assertThat(store.list()).isEmpty();
	}

	@Test
	void aSecondWriterOfTheSameBlobWaitsAndFindsItCommitted() throws Exception {
		ContentStore store = new ContentStore(this.root);
		byte[] blob = randomBytes(10_000);
		Digest digest = Digest.of(blob);
		Ingest first = store.ingest(digest, blob.length);
		CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
			try (Ingest ingest = store.ingest(digest, blob.length)) {
				return ingest.isComplete();
			}
		});
		Thread.sleep(100);
		assertThat(second).isNotDone();
		first.write(blob, 0, blob.length);
		first.commit();
		assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void digestsAreCheckedBeforeAnyPathIsBuilt() {
		assertThatThrownBy(() -> Digest.parse("sha256:../../etc/passwd")).isInstanceOf(InvalidDigestException.class)
			.hasMessageContaining("invalid digest");
		assertThatThrownBy(() -> Digest.parse("md5:d41d8cd98f00b204e9800998ecf8427e")).isInstanceOf(InvalidDigestException.class);
		assertThat(Digest.parse("sha256:" + "a".repeat(64)).shortId()).isEqualTo("aaaaaaaaaaaa");
		assertThat(Files.exists(this.root.resolve("etc"))).isFalse();
	}

	private static byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		return bytes;
	}

}
