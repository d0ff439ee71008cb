package dev.berth.runtime.init;

/**
 * The descriptors a container init is started with, and the messages it sends back, shared by
 * the init and the process that spawns it.
 *
 * <p>The bootstrap pipe carries one JSON document (the spec and what else the init needs) and is
 * closed by the parent. The sync pipe carries {@code ready} once the container is set up and
 * waiting for start, or {@code error <message>} when setup failed; it closes when the workload is
 * exec'd. The exec FIFO (an {@code O_PATH} descriptor) is opened for writing through
 * {@code /proc/self/fd}, which blocks until start opens it for reading: the create/start split.
 */
public final class InitProtocol {

	public static final int BOOTSTRAP_FD = 3;

	public static final int SYNC_FD = 4;

	public static final int EXEC_FIFO_FD = 5;

	public static final int CONSOLE_SOCKET_FD = 6;

	public static final String READY = "ready";

	public static final String ERROR_PREFIX = "error ";

	/** A spec is a few KiB; this cap keeps a hostile parent from making the init buffer without end. */
	public static final int MAX_BOOTSTRAP_BYTES = 4 << 20;

	public static final String MODE_STANDARD = "standard";

	public static final String MODE_SETNS = "setns";

	private InitProtocol() {
	}

}
