package dev.berth.runtime.spec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer for the runtime's own documents (OCI config.json, state.json).
 *
 * <p>The container init reads its spec with it, interpreted (see {@code InitZygote}), and every
 * class it loads costs time; this codec keeps the init's classpath at two jars (ours and JNA)
 * instead of a databind library with hundreds of classes. Since an interpreter pays for every
 * method call, the reader walks a {@code char[]} and copies a string without escapes in one go.
 * Objects read as {@code Map<String,Object>} (insertion ordered), arrays as {@code List<Object>},
 * numbers as {@link Long} or {@link BigDecimal}. Nesting is capped so a hostile document cannot
 * exhaust the stack.
 */
public final class Json {

	static final int MAX_DEPTH = 64;

	/** Digits of a long that cannot overflow, whatever they are. */
	private static final int SAFE_LONG_DIGITS = 18;

	private final String text;

	private final char[] chars;

	private int pos;

	private Json(String text) {
		this.text = text;
		this.chars = text.toCharArray();
	}

	/** Parses one JSON document; throws {@link SpecException} with the offset on bad input. */
	public static Object parse(String text) {
		Json json = new Json(text);
		json.skipSpace();
		Object value = json.value(0);
		json.skipSpace();
		if (json.pos != text.length()) {
			throw json.error("unexpected data after the document");
		}
		return value;
	}

	private Object value(int depth) {
		if (depth > MAX_DEPTH) {
			throw error("nesting deeper than " + MAX_DEPTH);
		}
		if (this.pos >= this.chars.length) {
			throw error("unexpected end of document");
		}
		char c = this.chars[this.pos];
		return switch (c) {
			case '{' -> object(depth);
			case '[' -> array(depth);
			case '"' -> string();
			case 't' -> literal("true", Boolean.TRUE);
			case 'f' -> literal("false", Boolean.FALSE);
			case 'n' -> literal("null", null);
			default -> {
				if (c == '-' || (c >= '0' && c <= '9')) {
					yield number();
				}
				throw error("unexpected character '" + c + "'");
			}
		};
	}

	private Map<String, Object> object(int depth) {
		Map<String, Object> map = new LinkedHashMap<>();
		this.pos++;
		skipSpace();
		if (peek() == '}') {
			this.pos++;
			return map;
		}
		while (true) {
			skipSpace();
			if (peek() != '"') {
				throw error("expected a field name");
			}
			String key = string();
			skipSpace();
			expect(':');
			skipSpace();
			map.put(key, value(depth + 1));
			skipSpace();
			char c = next();
			if (c == '}') {
				return map;
			}
			if (c != ',') {
				throw error("expected ',' or '}'");
			}
		}
	}

	private List<Object> array(int depth) {
		List<Object> list = new ArrayList<>();
		this.pos++;
		skipSpace();
		if (peek() == ']') {
			this.pos++;
			return list;
		}
		while (true) {
			skipSpace();
			list.add(value(depth + 1));
			skipSpace();
			char c = next();
			if (c == ']') {
				return list;
			}
			if (c != ',') {
				throw error("expected ',' or ']'");
			}
		}
	}

	private String string() {
		expect('"');
		int start = this.pos;
		while (this.pos < this.chars.length) {
			char c = this.chars[this.pos];
			if (c == '"') {
				this.pos++;
				return new String(this.chars, start, this.pos - 1 - start);
			}
			if (c == '\\' || c < 0x20) {
				break;
			}
			this.pos++;
		}
		// an escape (or an error) ahead: the rest char by char
		StringBuilder sb = new StringBuilder().append(this.chars, start, this.pos - start);
		while (true) {
			char c = next();
			if (c == '"') {
				return sb.toString();
			}
			if (c == '\\') {
				char e = next();
				switch (e) {
					case '"', '\\', '/' -> sb.append(e);
					case 'b' -> sb.append('\b');
					case 'f' -> sb.append('\f');
					case 'n' -> sb.append('\n');
					case 'r' -> sb.append('\r');
					case 't' -> sb.append('\t');
					case 'u' -> {
						if (this.pos + 4 > this.text.length()) {
							throw error("truncated \\u escape");
						}
						try {
							sb.append((char) Integer.parseInt(this.text, this.pos, this.pos + 4, 16));
						}
						catch (NumberFormatException ex) {
							throw error("bad \\u escape");
						}
						this.pos += 4;
					}
					default -> throw error("bad escape '\\" + e + "'");
				}
			}
			else if (c < 0x20) {
				throw error("control character in string");
			}
			else {
				sb.append(c);
			}
		}
	}

	private Object number() {
		int start = this.pos;
		boolean integral = true;
		while (this.pos < this.chars.length) {
			char c = this.chars[this.pos];
			if (c == '.' || c == 'e' || c == 'E') {
				integral = false;
			}
			else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
				break;
			}
			this.pos++;
		}
		int length = this.pos - start;
		if (integral && length > 0 && length <= SAFE_LONG_DIGITS) {
			// the usual number, without BigDecimal's cost
			return parseLong(start);
		}
		String digits = this.text.substring(start, this.pos);
		try {
			if (integral) {
				BigDecimal big = new BigDecimal(digits);
				return (big.toBigInteger().bitLength() < 64) ? (Object) big.longValueExact() : big;
			}
			return new BigDecimal(digits);
		}
		catch (NumberFormatException | ArithmeticException ex) {
			throw error("bad number '" + digits + "'");
		}
	}

	/** The digits from {@code start} to here, with an optional leading minus; at most 18 of them. */
	private Object parseLong(int start) {
		boolean negative = this.chars[start] == '-';
		long value = 0;
		for (int i = negative ? start + 1 : start; i < this.pos; i++) {
			char c = this.chars[i];
			if (c < '0' || c > '9') {
				throw error("bad number '" + this.text.substring(start, this.pos) + "'");
			}
			value = value * 10 + (c - '0');
		}
		if (negative && this.pos == start + 1) {
			throw error("bad number '-'");
		}
		return negative ? -value : value;
	}

	private Object literal(String word, Object value) {
		if (!this.text.startsWith(word, this.pos)) {
			throw error("unexpected word");
		}
		this.pos += word.length();
		return value;
	}

	private void skipSpace() {
		while (this.pos < this.chars.length) {
			char c = this.chars[this.pos];
			if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
				return;
			}
			this.pos++;
		}
	}

	private char peek() {
		return (this.pos < this.chars.length) ? this.chars[this.pos] : '\0';
	}

	private char next() {
		if (this.pos >= this.chars.length) {
			throw error("unexpected end of document");
		}
		return this.chars[this.pos++];
	}

	private void expect(char c) {
		if (next() != c) {
			this.pos--;
			throw error("expected '" + c + "'");
		}
	}

	private SpecException error(String message) {
		return new SpecException("malformed JSON at offset " + this.pos + ": " + message);
	}

	/** Writes maps, lists, strings, numbers, booleans and null as compact JSON. */
	public static String write(Object value) {
		StringBuilder sb = new StringBuilder();
		write(sb, value, null, "");
		return sb.toString();
	}

	/** Writes JSON with one value per line, nested levels indented by {@code indent}. */
	public static String writeIndented(Object value, String indent) {
		StringBuilder sb = new StringBuilder();
		write(sb, value, indent, "");
		return sb.toString();
	}

	private static void write(StringBuilder sb, Object value, String indent, String margin) {
		switch (value) {
			case null -> sb.append("null");
			case String s -> quote(sb, s);
			case Number n -> sb.append(n);
			case Boolean b -> sb.append(b);
			case Map<?, ?> map -> {
				String inner = (indent != null) ? margin + indent : margin;
				sb.append('{');
				boolean first = true;
				for (Map.Entry<?, ?> e : map.entrySet()) {
					sb.append(first ? "" : ",");
					newline(sb, indent, inner);
					first = false;
					quote(sb, String.valueOf(e.getKey()));
					sb.append((indent != null) ? ": " : ":");
					write(sb, e.getValue(), indent, inner);
				}
				if (!first) {
					newline(sb, indent, margin);
				}
				sb.append('}');
			}
			case Iterable<?> list -> {
				String inner = (indent != null) ? margin + indent : margin;
				sb.append('[');
				boolean first = true;
				for (Object item : list) {
					sb.append(first ? "" : ",");
					newline(sb, indent, inner);
					first = false;
					write(sb, item, indent, inner);
				}
				if (!first) {
					newline(sb, indent, margin);
				}
				sb.append(']');
			}
			default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass());
		}
	}

	private static void newline(StringBuilder sb, String indent, String margin) {
		if (indent != null) {
			sb.append('\n').append(margin);
		}
	}

	private static void quote(StringBuilder sb, String s) {
		sb.append('"');
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			switch (c) {
				case '"' -> sb.append("\\\"");
				case '\\' -> sb.append("\\\\");
				case '\n' -> sb.append("\\n");
				case '\r' -> sb.append("\\r");
				case '\t' -> sb.append("\\t");
				default -> {
					if (c < 0x20) {
						sb.append(String.format("\\u%04x", (int) c));
					}
					else {
						sb.append(c);
					}
				}
			}
		}
		sb.append('"');
	}

	/** An ordered map literal helper for writers: {@code obj("a", 1, "b", 2)}. */
	public static Map<String, Object> obj(Object... keysAndValues) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put((String) keysAndValues[i], keysAndValues[i + 1]);
		}
		return Collections.unmodifiableMap(map);
	}

}
