package dev.berth.runtime.shim.io;

import java.time.Instant;

/**
 * One line of a json-file log as {@code docker logs} shows it.
 *
 * @param stream {@code stdout} or {@code stderr}
 * @param time when the shim read the line's last byte
 * @param log the text, with its trailing newline unless the line was split or cut off
 */
public record LogEntry(String stream, Instant time, String log) {

}
