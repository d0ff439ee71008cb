package dev.berth.agent.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * commons-compress's tar reader, with the changes that image layers need.
 *
 * <p>Extended attribute values come out as the bytes archived. commons-compress decodes every
 * PAX value as UTF-8, which mangles binary values: {@code security.capability} is a bit mask, and
 * CAP_SETFCAP alone is a 0x80 byte. The reader parses an entry's PAX records from data it reads
 * through {@link #read(byte[], int, int)}, so this class keeps those bytes and takes the
 * {@code SCHILY.xattr.*} values from them. Should a later commons-compress read the records some
 * other way, nothing is kept and the decoded values are used (a test pins the binary case).
 *
 * <p>Times keep their nanoseconds. commons-compress rounds PAX {@code mtime} and {@code atime}
 * down to 100 ns, as NTFS counts time; Go's archive/tar writes them to the nanosecond. They are
 * read from the same kept records.
 *
 * <p>Metadata entries (PAX headers, GNU long names) are held in memory by the reader; a layer may
 * not make them larger than 1 MiB, the cap of Go's archive/tar, which wrote nearly every layer
 * there is.
 */
final class LayerTarInputStream extends TarArchiveInputStream {

	private static final String XATTR_PREFIX = "SCHILY.xattr.";

	private static final long MAX_METADATA_BYTES = 1024 * 1024;

	private static final Pattern PAX_TIME = Pattern.compile("-?[0-9]{1,18}(\\.[0-9]{1,64})?");

	private final ByteArrayOutputStream paxRecords = new ByteArrayOutputStream();

	private int nesting;

	LayerTarInputStream(InputStream tar) {
		// names as UTF-8, as Go's archive/tar writes them (and as PAX records always are)
		super(tar, StandardCharsets.UTF_8.name());
	}

	@Override
	public TarArchiveEntry getNextEntry() throws IOException {
		// the reader calls back into this after a PAX header or a long name, to read the entry it
		// describes: only the outermost call starts a new entry's records
		if (this.nesting == 0) {
			this.paxRecords.reset();
		}
		this.nesting++;
		try {
			return super.getNextEntry();
		}
		finally {
			this.nesting--;
		}
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		TarArchiveEntry current = getCurrentEntry();
		boolean paxHeader = current != null && current.isPaxHeader();
		if (current != null && (paxHeader || current.isGlobalPaxHeader() || current.isGNULongNameEntry()
				|| current.isGNULongLinkEntry()) && current.getSize() > MAX_METADATA_BYTES) {
			throw LayerUnpackException.ofLayer("a tar metadata entry (PAX header or long name) of "
					+ current.getSize() + " bytes is larger than the limit of " + MAX_METADATA_BYTES);
		}
		int read = super.read(buffer, offset, length);
		if (paxHeader && read > 0) {
			this.paxRecords.write(buffer, offset, read);
		}
		return read;
	}

	/** The current entry's extended attributes ({@code SCHILY.xattr.*}), values as archived. */
	Map<String, byte[]> xattrs() {
		Map<String, byte[]> raw = records(this.paxRecords.toByteArray());
		Map<String, byte[]> xattrs = new LinkedHashMap<>();
		// the decoded headers say which attributes the entry has (an empty PAX value deletes one)
		for (Map.Entry<String, String> header : getCurrentEntry().getExtraPaxHeaders().entrySet()) {
			if (header.getKey().startsWith(XATTR_PREFIX)) {
				byte[] value = raw.get(header.getKey());
				xattrs.put(header.getKey().substring(XATTR_PREFIX.length()),
						(value != null) ? value : header.getValue().getBytes(StandardCharsets.UTF_8));
			}
		}
		return xattrs;
	}

	/** The current entry's times, to the nanosecond where its PAX records give them so. */
	EntryTimes times() {
		Map<String, byte[]> raw = records(this.paxRecords.toByteArray());
		TarArchiveEntry entry = getCurrentEntry();
		Instant modification = paxTime(raw.get("mtime"));
		Instant access = paxTime(raw.get("atime"));
		return EntryTimes.of((modification != null) ? modification : entry.getLastModifiedTime().toInstant(),
				(access != null) ? access
						: (entry.getLastAccessTime() != null) ? entry.getLastAccessTime().toInstant() : null);
	}

	/**
	 * A PAX time ({@code [-]seconds[.fraction]}), or null if absent or not in that form (the
	 * reader's own, rounded, value then stands). The form is checked before BigDecimal sees it:
	 * an exponent like {@code 1e999999999} would make it build an enormous number.
	 */
	private static Instant paxTime(byte[] value) {
		if (value == null) {
			return null;
		}
		String text = new String(value, StandardCharsets.US_ASCII);
		if (!PAX_TIME.matcher(text).matches()) {
			return null;
		}
		BigDecimal exact = new BigDecimal(text);
		BigDecimal seconds = exact.setScale(0, RoundingMode.FLOOR);
		int nanos = exact.subtract(seconds).movePointRight(9).setScale(0, RoundingMode.FLOOR).intValueExact();
		return Instant.ofEpochSecond(seconds.longValueExact(), nanos);
	}

	/**
	 * The values of PAX records ({@code "<length> <key>=<value>\n"}, the length counting the whole
	 * record) by key. Stops at anything malformed; the reader has parsed these records already and
	 * would have refused them.
	 */
	private static Map<String, byte[]> records(byte[] records) {
		Map<String, byte[]> values = new HashMap<>();
		int at = 0;
		while (at < records.length) {
			int space = indexOf(records, (byte) ' ', at, records.length);
			int length = (space > at) ? decimal(records, at, space) : -1;
			int end = at + length;
			if (length <= 0 || end > records.length || records[end - 1] != '\n') {
				break;
			}
			int equals = indexOf(records, (byte) '=', space + 1, end);
			if (equals < 0) {
				break;
			}
			String key = new String(records, space + 1, equals - space - 1, StandardCharsets.UTF_8);
			values.put(key, Arrays.copyOfRange(records, equals + 1, end - 1));
			at = end;
		}
		return values;
	}

	private static int indexOf(byte[] bytes, byte wanted, int from, int to) {
		for (int i = from; i < to; i++) {
			if (bytes[i] == wanted) {
				return i;
			}
		}
		return -1;
	}

	/** The decimal number in {@code bytes[from, to)}, or -1 if it is not one (or overflows an int). */
	private static int decimal(byte[] bytes, int from, int to) {
		long value = 0;
		for (int i = from; i < to; i++) {
			if (bytes[i] < '0' || bytes[i] > '9' || value > Integer.MAX_VALUE) {
				return -1;
			}
			value = value * 10 + (bytes[i] - '0');
		}
		return (value > Integer.MAX_VALUE) ? -1 : (int) value;
	}

}
