package dev.berth.gateway.api;

import java.io.IOException;
import java.io.OutputStream;

import dev.berth.contracts.lifecycle.v1.Stream;

/**
 * A process's output as Docker sends it on attach, exec start and logs. Without a terminal stdout and stderr share
 * one connection, each piece behind moby's stdcopy header: one byte for the stream (0 stdin, 1 stdout, 2 stderr),
 * three zero bytes, and the payload's length as a big-endian uint32. With a terminal there is only the terminal's
 * bytes, sent as they are.
 */
public final class RawStreams {

	/** A terminal's bytes, unframed; also what every API before 1.42 is told, framed or not. */
	public static final String RAW = "application/vnd.docker.raw-stream";

	/** stdcopy frames (API 1.42 and later). */
	public static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";

	// the multiplexed media type came with API 1.42; older clients read the same frames under the raw type
	private static final String MULTIPLEXED_SINCE = "1.42";

	private static final int HEADER_SIZE = 8;

	private RawStreams() {
	}

	public static String contentType(boolean tty, String apiVersion) {
		return (tty || ApiVersion.isOlder(apiVersion, MULTIPLEXED_SINCE)) ? RAW : MULTIPLEXED;
	}

	/** Writes {@code data} of {@code stream}: as it is on a terminal, otherwise behind a stdcopy header. */
	public static void write(OutputStream out, boolean tty, Stream stream, byte[] data) throws IOException {
		if (!tty) {
			int length = data.length;
			out.write(new byte[] { (byte) descriptor(stream), 0, 0, 0, (byte) (length >>> 24), (byte) (length >>> 16),
					(byte) (length >>> 8), (byte) length }, 0, HEADER_SIZE);
		}
		out.write(data);
	}

	private static int descriptor(Stream stream) {
		return switch (stream) {
			case STREAM_STDIN -> 0;
			case STREAM_STDERR -> 2;
			// stdout, and anything a newer service might send: the client shows it rather than failing on it
			case STREAM_STDOUT, STREAM_UNSPECIFIED, UNRECOGNIZED -> 1;
		};
	}

}
