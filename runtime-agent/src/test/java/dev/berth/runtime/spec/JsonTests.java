package dev.berth.runtime.spec;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link Json}: the reader's fast paths (plain strings copied at once, short integers without
 * BigDecimal) give what the slow ones give, and bad input still fails with the offset.
 */
class JsonTests {

	@Test
	void readsStringsWithAndWithoutEscapes() {
		assertThat(Json.parse("\"plain /path with spaces\"")).isEqualTo("plain /path with spaces");
		assertThat(Json.parse("\"\"")).isEqualTo("");
		assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u20ac!\"")).isEqualTo("a\"b\\c/d\n\té€!");
		assertThat(Json.parse("\"ends with an escape\\n\"")).isEqualTo("ends with an escape\n");
		assertThat(Json.parse("\"é and € as they are\"")).isEqualTo("é and € as they are");
	}

	@Test
	void readsNumbersAsLongsOrBigDecimals() {
		assertThat(Json.parse("[0, -1, 42, 999999999999999999, -99999999999999999, 9223372036854775807]"))
			.isEqualTo(List.of(0L, -1L, 42L, 999999999999999999L, -99999999999999999L, Long.MAX_VALUE));
		// a uint64 beyond a long (an unlimited rlimit) and decimals keep every digit
		assertThat(Json.parse("18446744073709551615")).isEqualTo(new BigDecimal("18446744073709551615"));
		assertThat(Json.parse("1.5")).isEqualTo(new BigDecimal("1.5"));
		assertThat(Json.parse("1e3")).isEqualTo(new BigDecimal("1e3"));
	}

	@Test
	void readsNestedDocumentsInOrder() {
		Object value = Json.parse(" {\"b\": [true, false, null, {}], \"a\": {\"x\": []}} ");
		assertThat(value).isInstanceOf(Map.class);
		assertThat(((Map<?, ?>) value).keySet()).hasToString("[b, a]");
		assertThat(Json.write(value)).isEqualTo("{\"b\":[true,false,null,{}],\"a\":{\"x\":[]}}");
	}

	@Test
	void refusesBadInputWithTheOffset() {
		assertThatExceptionOfType(SpecException.class).isThrownBy(() -> Json.parse("\"no end"))
			.withMessage("malformed JSON at offset 7: unexpected end of document");
		assertThatExceptionOfType(SpecException.class).isThrownBy(() -> Json.parse("\"tab\there\""))
			.withMessage("malformed JSON at offset 5: control character in string");
		assertThatExceptionOfType(SpecException.class).isThrownBy(() -> Json.parse("\"bad \\x\""))
			.withMessage("malformed JSON at offset 7: bad escape '\\x'");
		for (String number : List.of("-", "1-2", "--1", "1+1", "1.2.3")) {
			assertThatExceptionOfType(SpecException.class).as(number).isThrownBy(() -> Json.parse(number))
				.withMessageContaining("bad number");
		}
		assertThatExceptionOfType(SpecException.class).isThrownBy(() -> Json.parse("{} x"))
			.withMessage("malformed JSON at offset 3: unexpected data after the document");
		assertThatExceptionOfType(SpecException.class).isThrownBy(() -> Json.parse("[".repeat(100)))
			.withMessageContaining("nesting deeper than 64");
	}

}
