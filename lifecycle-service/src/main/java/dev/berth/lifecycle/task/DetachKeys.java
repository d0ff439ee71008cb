package dev.berth.lifecycle.task;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

import dev.berth.lifecycle.InvalidArgumentException;

/**
 * Docker's detach keys ({@code ctrl-p,ctrl-q} by default): typed into an attached stdin, they end
 * the attachment and leave the container running. The sequence is found across chunk borders; a
 * prefix that turns out not to be the sequence is passed on unchanged.
 */
final class DetachKeys {

	static final String DEFAULT = "ctrl-p,ctrl-q";

	private final byte[] sequence;

	private int matched;

	private DetachKeys(byte[] sequence) {
		this.sequence = sequence;
	}

	/** Parses Docker's notation: comma-separated single characters or {@code ctrl-<key>}. */
	static DetachKeys parse(String keys) {
		String text = (keys == null || keys.isEmpty()) ? DEFAULT : keys;
		ByteArrayOutputStream sequence = new ByteArrayOutputStream();
		for (String key : text.split(",")) {
			String lower = key.toLowerCase(Locale.ROOT);
			if (key.length() == 1) {
				sequence.write(key.charAt(0));
			}
			else if (lower.startsWith("ctrl-") && lower.length() == 6 && control(lower.charAt(5)) >= 0) {
				sequence.write(control(lower.charAt(5)));
			}
			else {
				throw new InvalidArgumentException("Invalid detach keys (" + text + ") provided");
			}
		}
		return new DetachKeys(sequence.toByteArray());
	}

	/** The byte ctrl-{@code key} types: ctrl-a is 1, ctrl-@ 0, ctrl-[ … ctrl-_ 27 … 31; -1 when none. */
	private static int control(char key) {
		if (key >= 'a' && key <= 'z') {
			return key - 'a' + 1;
		}
		return switch (key) {
			case '@' -> 0;
			case '[' -> 27;
			case '\\' -> 28;
			case ']' -> 29;
			case '^' -> 30;
			case '_' -> 31;
			default -> -1;
		};
	}

	/** What {@link #filter} found in one chunk: the bytes to pass on, and whether to detach after them. */
	record Filtered(byte[] passOn, boolean detach) {
	}

	Filtered filter(byte[] chunk) {
		ByteArrayOutputStream passOn = new ByteArrayOutputStream(chunk.length);
		for (byte b : chunk) {
			if (b == this.sequence[this.matched]) {
				this.matched++;
				if (this.matched == this.sequence.length) {
					return new Filtered(passOn.toByteArray(), true);
				}
				continue;
			}
			// the held-back prefix was ordinary input after all
			passOn.write(this.sequence, 0, this.matched);
			this.matched = 0;
			if (b == this.sequence[0]) {
				this.matched = 1;
				if (this.sequence.length == 1) {
					return new Filtered(passOn.toByteArray(), true);
				}
			}
			else {
				passOn.write(b);
			}
		}
		return new Filtered(passOn.toByteArray(), false);
	}

}
