package dev.berth.runtime.shim.io;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * The JSON of one log line, by hand: the writer runs on the I/O thread for every line of every
 * container, so it encodes straight into a byte array with no intermediate strings, and the
 * reader needs only three string fields.
 *
 * <p>Output is always valid UTF-8: well-formed sequences pass through, {@code "} and {@code \}
 * are escaped, {@code \n \r \t} get their short escapes, other C0 controls become
 * <code>&#92;u00XX</code>, and every byte that does not start a well-formed sequence (stray continuation
 * bytes, overlong forms, surrogates, beyond U+10FFFF, a sequence cut short) becomes
 * <code>&#92;ufffd</code> on its own, so the decoder can resynchronize at the next byte.
 */
final class JsonText {

	/** The most an input byte grows to: <code>&#92;u00XX</code> or <code>&#92;ufffd</code>. */
	static final int MAX_EXPANSION = 6;

	private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

	/** Bytes that stand for themselves in a JSON string: printable ASCII but the quote and backslash. */
	private static final boolean[] PLAIN = new boolean[256];

	static {
		for (int b = 0x20; b < 0x80; b++) {
			PLAIN[b] = (b != '"' && b != '\\');
		}
	}

	private static final byte[] REPLACEMENT = "\\ufffd".getBytes(StandardCharsets.US_ASCII);

	private JsonText() {
	}

	/**
	 * Writes {@code src[from..to)} as the inside of a JSON string at {@code out[pos]}; {@code out}
	 * must have {@link #MAX_EXPANSION} bytes of room per input byte. Returns the new position.
	 */
	static int escape(byte[] src, int from, int to, byte[] out, int pos) {
		int i = from;
		while (i < to) {
			// most log text is plain ASCII: copy runs of it in one go
			int run = i;
			while (run < to && PLAIN[src[run] & 0xff]) {
				run++;
			}
			if (run > i) {
				System.arraycopy(src, i, out, pos, run - i);
				pos += run - i;
				i = run;
				if (i == to) {
					break;
				}
			}
			int b = src[i] & 0xff;
			if (b == '"' || b == '\\') {
				out[pos++] = '\\';
				out[pos++] = (byte) b;
				i++;
				continue;
			}
			if (b < 0x20) {
				out[pos++] = '\\';
				switch (b) {
					case '\n' -> out[pos++] = 'n';
					case '\r' -> out[pos++] = 'r';
					case '\t' -> out[pos++] = 't';
					default -> {
						out[pos++] = 'u';
						out[pos++] = '0';
						out[pos++] = '0';
						out[pos++] = HEX[b >> 4];
						out[pos++] = HEX[b & 0xf];
					}
				}
				i++;
				continue;
			}
			int length = sequenceLength(src, i, to);
			if (length > 0) {
				System.arraycopy(src, i, out, pos, length);
				pos += length;
				i += length;
			}
			else {
				System.arraycopy(REPLACEMENT, 0, out, pos, REPLACEMENT.length);
				pos += REPLACEMENT.length;
				i++;
			}
		}
		return pos;
	}

	/**
	 * The length of the well-formed UTF-8 sequence starting at {@code src[i]} (a byte of 0x80 or
	 * more), 0 if ill-formed, or {@code -k} if its first {@code k} bytes are a well-formed start
	 * that {@code end} cuts short.
	 */
	static int sequenceLength(byte[] src, int i, int end) {
		int lead = src[i] & 0xff;
		int length;
		int low = 0x80;
		int high = 0xbf;
		if (lead >= 0xc2 && lead <= 0xdf) {
			length = 2;
		}
		else if (lead >= 0xe0 && lead <= 0xef) {
			length = 3;
			if (lead == 0xe0) {
				low = 0xa0; // shorter forms are overlong
			}
			else if (lead == 0xed) {
				high = 0x9f; // U+D800..U+DFFF are surrogates
			}
		}
		else if (lead >= 0xf0 && lead <= 0xf4) {
			length = 4;
			if (lead == 0xf0) {
				low = 0x90;
			}
			else if (lead == 0xf4) {
				high = 0x8f; // beyond U+10FFFF
			}
		}
		else {
			return 0;
		}
		for (int k = 1; k < length; k++) {
			if (i + k >= end) {
				return -k;
			}
			int b = src[i + k] & 0xff;
			if (b < low || b > high) {
				return 0;
			}
			low = 0x80;
			high = 0xbf;
		}
		return length;
	}

	/**
	 * Where to cut {@code src[from..to)} so no character is split: {@code to}, or the start of a
	 * well-formed sequence that {@code to} would cut short (at most 3 bytes back).
	 */
	static int characterBoundary(byte[] src, int from, int to) {
		for (int back = 1; back <= 3 && to - back >= from; back++) {
			int b = src[to - back] & 0xff;
			if (b < 0x80) {
				return to;
			}
			if (b >= 0xc0) {
				return (sequenceLength(src, to - back, to) < 0) ? to - back : to;
			}
		}
		return to;
	}

	/**
	 * Writes {@code time} as Go's RFC 3339 with nanoseconds, in UTC, the way Docker's files
	 * carry it: trailing zeros of the fraction dropped, no fraction at a whole second.
	 * {@code secondText} caches the 19 bytes up to the seconds for {@code cachedSecond[0]}.
	 */
	static int formatTime(Instant time, byte[] secondText, long[] cachedSecond, byte[] out, int pos) {
		long second = time.getEpochSecond();
		if (cachedSecond[0] != second || secondText[0] == 0) {
			LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
			int p = digits(t.getYear(), 4, secondText, 0);
			secondText[p++] = '-';
			p = digits(t.getMonthValue(), 2, secondText, p);
			secondText[p++] = '-';
			p = digits(t.getDayOfMonth(), 2, secondText, p);
			secondText[p++] = 'T';
			p = digits(t.getHour(), 2, secondText, p);
			secondText[p++] = ':';
			p = digits(t.getMinute(), 2, secondText, p);
			secondText[p++] = ':';
			digits(t.getSecond(), 2, secondText, p);
			cachedSecond[0] = second;
		}
		System.arraycopy(secondText, 0, out, pos, 19);
		pos += 19;
		int nanos = time.getNano();
		if (nanos != 0) {
			int width = 9;
			while (nanos % 10 == 0) {
				nanos /= 10;
				width--;
			}
			out[pos++] = '.';
			pos = digits(nanos, width, out, pos);
		}
		out[pos++] = 'Z';
		return pos;
	}

	private static int digits(int value, int width, byte[] out, int pos) {
		for (int i = width - 1; i >= 0; i--) {
			out[pos + i] = (byte) ('0' + value % 10);
			value /= 10;
		}
		return pos + width;
	}

	/**
	 * One line of a json-file log, or null if it is not a JSON object with string fields
	 * {@code log}, {@code stream} and {@code time} (a torn line after a crash, say).
	 */
	static LogEntry parse(byte[] line, int from, int to) {
		Parser parser = new Parser(line, from, to);
		try {
			return parser.entry();
		}
		catch (IllegalArgumentException | DateTimeParseException ex) {
			return null;
		}
	}

	private static final class Parser {

		private final byte[] text;

		private final int end;

		private int pos;

		Parser(byte[] text, int from, int to) {
			this.text = text;
			this.pos = from;
			this.end = to;
		}

		LogEntry entry() {
			String log = null;
			String stream = null;
			String time = null;
			expect('{');
			if (peek() == '}') {
				this.pos++;
			}
			else {
				while (true) {
					String key = string();
					expect(':');
					skipSpace();
					switch (key) {
						case "log" -> log = string();
						case "stream" -> stream = string();
						case "time" -> time = string();
						default -> skipValue();
					}
					skipSpace();
					int next = next();
					if (next == '}') {
						break;
					}
					if (next != ',') {
						throw new IllegalArgumentException("expected , or }");
					}
				}
			}
			if (log == null || stream == null || time == null) {
				throw new IllegalArgumentException("missing field");
			}
			return new LogEntry(stream, OffsetDateTime.parse(time).toInstant(), log);
		}

		private String string() {
			expect('"');
			int start = this.pos;
			while (this.pos < this.end && this.text[this.pos] != '"' && this.text[this.pos] != '\\') {
				this.pos++;
			}
			if (this.pos < this.end && this.text[this.pos] == '"') {
				return new String(this.text, start, this.pos++ - start, StandardCharsets.UTF_8);
			}
			// escapes: decode into bytes, then once into a string
			byte[] out = Arrays.copyOfRange(this.text, start, start + (this.end - start));
			int length = this.pos - start;
			while (true) {
				int b = next();
				if (b == '"') {
					return new String(out, 0, length, StandardCharsets.UTF_8);
				}
				if (b != '\\') {
					out[length++] = (byte) b;
					continue;
				}
				int escaped = next();
				switch (escaped) {
					case '"', '\\', '/' -> out[length++] = (byte) escaped;
					case 'n' -> out[length++] = '\n';
					case 'r' -> out[length++] = '\r';
					case 't' -> out[length++] = '\t';
					case 'b' -> out[length++] = '\b';
					case 'f' -> out[length++] = '\f';
					case 'u' -> length = codePoint(out, length);
					default -> throw new IllegalArgumentException("bad escape");
				}
			}
		}

		/** Decodes {@code XXXX} (and a low surrogate after a high one) as UTF-8 into {@code out}. */
		private int codePoint(byte[] out, int length) {
			int c = hex4();
			if (c >= 0xd800 && c <= 0xdbff && this.pos + 6 <= this.end && this.text[this.pos] == '\\'
					&& this.text[this.pos + 1] == 'u') {
				int mark = this.pos;
				this.pos += 2;
				int low = hex4();
				if (low >= 0xdc00 && low <= 0xdfff) {
					c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
				}
				else {
					this.pos = mark;
				}
			}
			if (c >= 0xd800 && c <= 0xdfff) {
				c = 0xfffd; // a lone surrogate has no UTF-8 form
			}
			// an escape (6 or 12 bytes of input) never decodes to more bytes than it took
			byte[] utf8 = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8);
			System.arraycopy(utf8, 0, out, length, utf8.length);
			return length + utf8.length;
		}

		private int hex4() {
			if (this.pos + 4 > this.end) {
				throw new IllegalArgumentException("short \\u escape");
			}
			int value = 0;
			for (int i = 0; i < 4; i++) {
				int digit = Character.digit(this.text[this.pos++], 16);
				if (digit < 0) {
					throw new IllegalArgumentException("bad \\u escape");
				}
				value = (value << 4) | digit;
			}
			return value;
		}

		private void skipValue() {
			int b = peek();
			if (b == '"') {
				string();
				return;
			}
			if (b == '{' || b == '[') {
				int depth = 0;
				do {
					b = peek();
					if (b == '"') {
						string();
						continue;
					}
					this.pos++;
					if (b == '{' || b == '[') {
						depth++;
					}
					else if (b == '}' || b == ']') {
						depth--;
					}
				}
				while (depth > 0);
				return;
			}
			while (this.pos < this.end && ",}] \t\r\n".indexOf(this.text[this.pos]) < 0) {
				this.pos++;
			}
		}

		private void expect(int c) {
			skipSpace();
			if (next() != c) {
				throw new IllegalArgumentException("expected " + (char) c);
			}
		}

		private void skipSpace() {
			while (this.pos < this.end && (this.text[this.pos] == ' ' || this.text[this.pos] == '\t'
					|| this.text[this.pos] == '\r' || this.text[this.pos] == '\n')) {
				this.pos++;
			}
		}

		private int peek() {
			skipSpace();
			if (this.pos >= this.end) {
				throw new IllegalArgumentException("unexpected end");
			}
			return this.text[this.pos];
		}

		private int next() {
			if (this.pos >= this.end) {
				throw new IllegalArgumentException("unexpected end");
			}
			return this.text[this.pos++];
		}

	}

}
