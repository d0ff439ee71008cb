package dev.berth.agent.snapshot;

import java.io.IOException;

/**
 * A layer that cannot be unpacked as it is: an entry that would land outside the target, a name
 * too long, a cap exceeded, a stream that is not a tar. It names the entry when one is at fault.
 * An {@link IOException}, so it can stop the unpacker from inside the stream it is reading.
 */
public class LayerUnpackException extends IOException {

	// a name past PATH_MAX would drown the reason: messages show its start
	private static final int SHOWN_NAME_CHARS = 200;

	private final String entry;

	public LayerUnpackException(String entry, String reason) {
		super(message(entry, reason));
		this.entry = entry;
	}

	public LayerUnpackException(String entry, String reason, Throwable cause) {
		super(message(entry, reason), cause);
		this.entry = entry;
	}

	/** A fault of the layer as a whole rather than of one entry. */
	static LayerUnpackException ofLayer(String reason) {
		return new LayerUnpackException(null, reason);
	}

	static LayerUnpackException ofLayer(String reason, Throwable cause) {
		return new LayerUnpackException(null, reason, cause);
	}

	/** The entry's name as the archive gave it, or null when the layer as a whole is at fault. */
	public String entry() {
		return this.entry;
	}

	private static String message(String entry, String reason) {
		if (entry == null) {
			return "layer: " + reason;
		}
		String shown = (entry.length() > SHOWN_NAME_CHARS) ? entry.substring(0, SHOWN_NAME_CHARS) + "…" : entry;
		return "layer entry \"" + shown + "\": " + reason;
	}

}
