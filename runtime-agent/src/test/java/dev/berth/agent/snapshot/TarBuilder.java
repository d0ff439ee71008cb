package dev.berth.agent.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Layer tars for tests, written with commons-compress's tar writer (PAX for long names and big numbers). */
final class TarBuilder {

	static final Instant MTIME = Instant.parse("2021-03-04T05:06:07.123456789Z");

	private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

	private final TarArchiveOutputStream tar;

	private final Map<String, byte[]> pending = new LinkedHashMap<>();

	TarBuilder() {
		this(TarArchiveOutputStream.LONGFILE_POSIX);
	}

	/** @param longFileMode how names past ustar's 100 bytes are written: PAX records or GNU 'L'/'K' entries */
	TarBuilder(int longFileMode) {
		this.tar = new TarArchiveOutputStream(this.bytes, StandardCharsets.UTF_8.name());
		this.tar.setLongFileMode(longFileMode);
		this.tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
	}

	/** An entry of any type with the defaults the helpers below share: root-owned, {@link #MTIME}. */
	static TarArchiveEntry entry(String name, byte type, int mode) {
		// preserveAbsolutePath: a leading slash reaches the archive as written
		TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
		entry.setMode(mode);
		entry.setLastModifiedTime(FileTime.from(MTIME));
		return entry;
	}

	TarBuilder directory(String name) {
		return add(entry(name, TarConstants.LF_DIR, 0755), null);
	}

	TarBuilder file(String name, String content) {
		return add(entry(name, TarConstants.LF_NORMAL, 0644), content.getBytes(StandardCharsets.UTF_8));
	}

	TarBuilder symlink(String name, String target) {
		TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK, 0777);
		entry.setLinkName(target);
		return add(entry, null);
	}

	TarBuilder hardlink(String name, String target) {
		TarArchiveEntry entry = entry(name, TarConstants.LF_LINK, 0644);
		entry.setLinkName(target);
		return add(entry, null);
	}

	/**
	 * Adds {@code entry} with {@code data} (null for none); sets the size from the data. A time
	 * with nanoseconds goes into a PAX record of its own, as Go's archive/tar writes it:
	 * commons-compress's writer would round it to 100 ns.
	 */
	TarBuilder add(TarArchiveEntry entry, byte[] data) {
		Instant modified = entry.getLastModifiedTime().toInstant();
		if (modified.getNano() != 0) {
			this.pending.put("mtime", (modified.getEpochSecond() + "." + String.format("%09d", modified.getNano()))
				.getBytes(StandardCharsets.US_ASCII));
			entry.setLastModifiedTime(FileTime.from(Instant.ofEpochSecond(modified.getEpochSecond())));
		}
		try {
			if (!this.pending.isEmpty()) {
				writePaxHeader();
			}
			if (data != null) {
				entry.setSize(data.length);
			}
			this.tar.putArchiveEntry(entry);
			if (data != null) {
				this.tar.write(data);
			}
			this.tar.closeArchiveEntry();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Extended attributes for the entry added next, their values raw bytes in PAX records:
	 * commons-compress's writer can only write them as UTF-8 text, as GNU tar and Go's
	 * archive/tar do not.
	 */
	TarBuilder xattrs(Map<String, byte[]> xattrs) {
		xattrs.forEach((key, value) -> this.pending.put("SCHILY.xattr." + key, value));
		return this;
	}

	/** A PAX extended header of the pending records, each {@code "<length> <key>=<value>\n"}. */
	private void writePaxHeader() throws IOException {
		ByteArrayOutputStream records = new ByteArrayOutputStream();
		for (Map.Entry<String, byte[]> record : this.pending.entrySet()) {
			byte[] key = (" " + record.getKey() + "=").getBytes(StandardCharsets.UTF_8);
			int body = key.length + record.getValue().length + 1;
			// the length counts its own digits
			int length = body + String.valueOf(body).length();
			if (String.valueOf(length).length() != String.valueOf(body).length()) {
				length++;
			}
			records.writeBytes(String.valueOf(length).getBytes(StandardCharsets.US_ASCII));
			records.writeBytes(key);
			records.writeBytes(record.getValue());
			records.write('\n');
		}
		this.pending.clear();
		TarArchiveEntry header = new TarArchiveEntry("./PaxHeaders/next", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
		header.setSize(records.size());
		this.tar.putArchiveEntry(header);
		this.tar.write(records.toByteArray());
		this.tar.closeArchiveEntry();
	}

	/** The finished archive, end-of-archive blocks and record padding included. */
	byte[] tar() {
		try {
			this.tar.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return this.bytes.toByteArray();
	}

	static byte[] gzip(byte[] data) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
			gzip.write(data);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	static byte[] zstd(byte[] data) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (ZstdOutputStream zstd = new ZstdOutputStream(out)) {
			zstd.write(data);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

}
