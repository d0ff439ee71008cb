package dev.berth.engine.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The word rules of Dockerfile instructions, for {@code docker import --change}: single quotes
 * take everything literally, double quotes keep spaces but expand variables and honour
 * {@code \"}, {@code \\} and {@code \$}, a backslash outside quotes escapes the next character,
 * and {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-default}} and {@code ${NAME:+alternative}}
 * (and their forms without the colon, which test only whether the variable is set) expand from
 * the environment the earlier {@code ENV} changes built. An unset variable expands to nothing,
 * as in a Dockerfile.
 */
final class ShellWords {

	private final String text;

	private final Map<String, String> env;

	private int position;

	private ShellWords(String text, Map<String, String> env) {
		this.text = text;
		this.env = env;
	}

	/** The text as one word: quotes removed, escapes and variables processed, spaces kept. */
	static String word(String text, Map<String, String> env) {
		ShellWords lexer = new ShellWords(text, env);
		StringBuilder word = new StringBuilder();
		while (lexer.position < text.length()) {
			lexer.next(word);
		}
		return word.toString();
	}

	/** The text split at unquoted blanks, each word processed as by {@link #word}. */
	static List<String> words(String text, Map<String, String> env) {
		ShellWords lexer = new ShellWords(text, env);
		List<String> words = new ArrayList<>();
		while (true) {
			lexer.skipBlanks();
			if (lexer.position >= text.length()) {
				return words;
			}
			StringBuilder word = new StringBuilder();
			while (lexer.position < text.length() && !Character.isWhitespace(text.charAt(lexer.position))) {
				lexer.next(word);
			}
			words.add(word.toString());
		}
	}

	/**
	 * The text split at unquoted blanks with quotes and escapes left in place, for
	 * {@code name=value} lists, whose pairs are found before each part is processed.
	 */
	static List<String> rawWords(String text) {
		List<String> words = new ArrayList<>();
		StringBuilder word = new StringBuilder();
		char quote = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (quote == 0 && Character.isWhitespace(c)) {
				if (!word.isEmpty()) {
					words.add(word.toString());
					word.setLength(0);
				}
				continue;
			}
			word.append(c);
			if (c == '\\' && quote != '\'' && i + 1 < text.length()) {
				word.append(text.charAt(++i));
			}
			else if (quote == 0 && (c == '\'' || c == '"')) {
				quote = c;
			}
			else if (c == quote) {
				quote = 0;
			}
		}
		if (quote != 0) {
			throw new IllegalArgumentException("unexpected end of statement while looking for matching " + quote);
		}
		if (!word.isEmpty()) {
			words.add(word.toString());
		}
		return words;
	}

	private void skipBlanks() {
		while (this.position < this.text.length() && Character.isWhitespace(this.text.charAt(this.position))) {
			this.position++;
		}
	}

	/** Processes one unit (a character, an escape, a quoted run or a variable) into {@code word}. */
	private void next(StringBuilder word) {
		char c = this.text.charAt(this.position++);
		switch (c) {
			case '\\' -> {
				if (this.position < this.text.length()) {
					word.append(this.text.charAt(this.position++));
				}
			}
			case '\'' -> {
				int end = this.text.indexOf('\'', this.position);
				if (end < 0) {
					throw new IllegalArgumentException("unexpected end of statement while looking for matching '");
				}
				word.append(this.text, this.position, end);
				this.position = end + 1;
			}
			case '"' -> doubleQuoted(word);
			case '$' -> word.append(variable());
			default -> word.append(c);
		}
	}

	private void doubleQuoted(StringBuilder word) {
		while (this.position < this.text.length()) {
			char c = this.text.charAt(this.position++);
			if (c == '"') {
				return;
			}
			if (c == '\\' && this.position < this.text.length() && "\"\\$".indexOf(this.text.charAt(this.position)) >= 0) {
				word.append(this.text.charAt(this.position++));
			}
			else if (c == '$') {
				word.append(variable());
			}
			else {
				word.append(c);
			}
		}
		throw new IllegalArgumentException("unexpected end of statement while looking for matching \"");
	}

	/** What follows a {@code $}: a name, a braced expression, or a lone dollar sign. */
	private String variable() {
		if (this.position >= this.text.length()) {
			return "$";
		}
		if (this.text.charAt(this.position) != '{') {
			String name = name();
			return name.isEmpty() ? "$" : this.env.getOrDefault(name, "");
		}
		this.position++;
		String name = name();
		if (name.isEmpty()) {
			throw new IllegalArgumentException("bad substitution in \"" + this.text + "\"");
		}
		if (this.position < this.text.length() && this.text.charAt(this.position) == '}') {
			this.position++;
			return this.env.getOrDefault(name, "");
		}
		boolean colon = this.position < this.text.length() && this.text.charAt(this.position) == ':';
		if (colon) {
			this.position++;
		}
		char operator = (this.position < this.text.length()) ? this.text.charAt(this.position++) : 0;
		if (operator != '-' && operator != '+') {
			throw new IllegalArgumentException("unsupported modifier in \"" + this.text + "\"");
		}
		String operand = braced();
		String value = this.env.get(name);
		boolean set = (value != null) && !(colon && value.isEmpty());
		if (operator == '-') {
			return set ? value : operand;
		}
		return set ? operand : "";
	}

	/** The operand of {@code ${NAME:-operand}}, itself processed, up to the closing brace. */
	private String braced() {
		StringBuilder operand = new StringBuilder();
		while (this.position < this.text.length() && this.text.charAt(this.position) != '}') {
			next(operand);
		}
		if (this.position >= this.text.length()) {
			throw new IllegalArgumentException("missing '}' in \"" + this.text + "\"");
		}
		this.position++;
		return operand.toString();
	}

	private String name() {
		int start = this.position;
		while (this.position < this.text.length()) {
			char c = this.text.charAt(this.position);
			if (!(Character.isLetterOrDigit(c) || c == '_')) {
				break;
			}
			this.position++;
		}
		return this.text.substring(start, this.position);
	}

}
