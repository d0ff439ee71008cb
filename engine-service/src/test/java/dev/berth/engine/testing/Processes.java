package dev.berth.engine.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** Runs the harness's external tools (skopeo, the fixture script), failing with what they said. */
final class Processes {

	private Processes() {
	}

	/** Runs {@code command} to its end and returns its standard output; throws with its standard error if it fails. */
	static byte[] run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.start();
			// stderr drains on its own thread: a tool that fills one pipe while we read the other would stall
			FutureTask<byte[]> stderr = new FutureTask<>(process.getErrorStream()::readAllBytes);
			Thread.ofVirtual().start(stderr);
			byte[] stdout = process.getInputStream().readAllBytes();
			int exit = process.waitFor();
			if (exit != 0) {
				throw new IllegalStateException(String.join(" ", command) + " exited with " + exit + ": "
						+ new String(stderr.get(), StandardCharsets.UTF_8).strip());
			}
			return stdout;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(String.join(" ", command) + ": reading its stderr failed", ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while running " + String.join(" ", command), ex);
		}
	}

}
