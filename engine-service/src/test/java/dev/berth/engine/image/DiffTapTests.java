package dev.berth.engine.image;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import dev.berth.engine.content.Digest;
import dev.berth.engine.registry.BlobTap;
import dev.berth.engine.registry.Descriptor;

import static org.assertj.core.api.Assertions.assertThat;

class DiffTapTests {

	@Test
	void theDiffIdComputedWhileDownloadingIsTheOneOfTheStoredBlob() throws IOException {
		byte[] tar = new byte[3_000_000];
		new Random(3).nextBytes(tar);
		byte[] blob = gzip(tar);
		Descriptor descriptor = new Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", Digest.of(blob), blob.length);
		try (DiffTap tap = new DiffTap()) {
			BlobTap.Sink sink = tap.open(descriptor);
			for (int offset = 0; offset < blob.length; offset += 8192) {
				sink.write(blob, offset, Math.min(8192, blob.length - offset));
			}
			sink.complete();
			LayerDiff.Result computed = tap.resultOf(descriptor.digest());
			assertThat(computed).isEqualTo(LayerDiff.of(new ByteArrayInputStream(blob)));
			assertThat(computed.diffId()).isEqualTo(Digest.of(tar));
			assertThat(computed.size()).isEqualTo(tar.length);
		}
	}

	@Test
	void anAbortedOrUnreadableDownloadLeavesTheWorkToTheStoredBlob() throws IOException {
		byte[] blob = gzip(new byte[100_000]);
		Descriptor descriptor = new Descriptor("x", Digest.of(blob), blob.length);
		try (DiffTap tap = new DiffTap()) {
			BlobTap.Sink aborted = tap.open(descriptor);
			aborted.write(blob, 0, 1000);
			aborted.abort();
			assertThat(tap.resultOf(descriptor.digest())).isNull();
			// garbage the reader gives up on must not block the download that feeds it
			byte[] garbage = new byte[5_000_000];
			garbage[0] = 0x1f;
			garbage[1] = (byte) 0x8b;
			Descriptor broken = new Descriptor("x", Digest.of(garbage), garbage.length);
			BlobTap.Sink sink = tap.open(broken);
			for (int offset = 0; offset < garbage.length; offset += 65536) {
				sink.write(garbage, offset, Math.min(65536, garbage.length - offset));
			}
			sink.complete();
			assertThat(tap.resultOf(broken.digest())).isNull();
		}
	}

	private static byte[] gzip(byte[] data) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
			gzip.write(data);
		}
		return out.toByteArray();
	}

}
