package dev.berth.engine.image;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import com.github.luben.zstd.ZstdInputStream;

import dev.berth.engine.content.Digest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Archives for the tests, made without Berth's code: fixture OCI layouts tarred by GNU tar,
 * Docker archives laid out by hand as dockerd 20.10 writes them, and odd tars written entry by
 * entry with commons-compress for the malicious cases.
 */
final class TestArchives {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private TestArchives() {
	}

	/** {@code tar -C directory -cf output .}, GNU tar's own idea of an archive of a directory. */
	static Path tar(Path directory, Path output) {
		run(List.of("tar", "-C", directory.toString(), "-cf", output.toString(), "."));
		return output;
	}

	static void run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.waitFor() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The JSON of a blob of an OCI layout. */
	static JsonNode blobJson(Path layout, String digest) throws IOException {
		return JSON.readTree(Files.readAllBytes(blob(layout, digest)));
	}

	static Path blob(Path layout, String digest) {
		return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
	}

	/** The image manifest tagged {@code latest} in a single-image fixture layout. */
	static JsonNode manifest(Path layout) throws IOException {
		JsonNode index = JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
		return blobJson(layout, index.path("manifests").get(0).path("digest").asString());
	}

	/** The config digest (the image ID) of a single-image fixture layout. */
	static Digest imageId(Path layout) throws IOException {
		return Digest.parse(manifest(layout).path("config").path("digest").asString());
	}

	/** The layer blobs of a single-image fixture layout, bottom first. */
	static List<Path> layerBlobs(Path layout) throws IOException {
		List<Path> blobs = new ArrayList<>();
		for (JsonNode layer : manifest(layout).path("layers").values()) {
			blobs.add(blob(layout, layer.path("digest").asString()));
		}
		return blobs;
	}

	/** A compressed layer blob, decompressed by the JDK or zstd-jni: the layer tar. */
	static byte[] unpacked(Path blob) throws IOException {
		try (InputStream raw = Files.newInputStream(blob)) {
			byte[] head = raw.readNBytes(4);
			try (InputStream in = Files.newInputStream(blob);
					InputStream tar = (head[0] == 0x1f) ? new GZIPInputStream(in)
							: (head[0] == 0x28) ? new ZstdInputStream(in) : in) {
				return tar.readAllBytes();
			}
		}
	}

	/** The names of a tar's entries, in order. */
	static List<String> entryNames(Path tar) throws IOException {
		List<String> names = new ArrayList<>();
		try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
			TarArchiveEntry entry;
			while ((entry = in.getNextEntry()) != null) {
				names.add(entry.getName());
			}
		}
		return names;
	}

	/** The content of one entry of a tar. */
	static byte[] entry(Path tar, String name) throws IOException {
		try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
			TarArchiveEntry entry;
			while ((entry = in.getNextEntry()) != null) {
				if (entry.getName().equals(name)) {
					return in.readAllBytes();
				}
			}
		}
		throw new IllegalArgumentException("no " + name + " in " + tar);
	}

	/** A tar written entry by entry, for archives no tool would make. */
	static final class TarWriter {

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private final TarArchiveOutputStream tar = new TarArchiveOutputStream(this.bytes);

		TarWriter() {
			this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
		}

		TarWriter file(String name, byte[] content) throws IOException {
			TarArchiveEntry entry = new TarArchiveEntry(name, true);
			entry.setSize(content.length);
			this.tar.putArchiveEntry(entry);
			this.tar.write(content);
			this.tar.closeArchiveEntry();
			return this;
		}

		TarWriter file(String name, String content) throws IOException {
			return file(name, content.getBytes(StandardCharsets.UTF_8));
		}

		TarWriter symlink(String name, String target) throws IOException {
			TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
			entry.setLinkName(target);
			this.tar.putArchiveEntry(entry);
			this.tar.closeArchiveEntry();
			return this;
		}

		byte[] bytes() throws IOException {
			this.tar.finish();
			return this.bytes.toByteArray();
		}

		Path write(Path file) throws IOException {
			Files.write(file, bytes());
			return file;
		}

	}

}
