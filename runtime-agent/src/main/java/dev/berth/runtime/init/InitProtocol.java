package dev.berth.runtime.init;

/**
 * How a container init and the process that spawns it talk: over one unix socket, the init's
 * descriptor {@link #CONTROL_FD}.
 *
 * <p>The parent sends one message: a 4-byte big-endian length with the container's descriptors
 * attached ({@code SCM_RIGHTS}: stdin, stdout, stderr, the exec FIFO, the console socket), then
 * that many bytes of bootstrap JSON. The init answers {@code ready} once set up (a new container
 * then waits for start), or {@code error <message>}. Its end of the socket closes on exec.
 *
 * <p>Since the descriptors arrive with the bootstrap, an init can be started before anyone knows
 * what container it will become: the shim keeps a few warm, already past JVM start-up. A warm init
 * says {@code warmed} once trained; only then is it worth more than a fresh one.
 *
 * <p>The exec FIFO (an {@code O_PATH} descriptor) is opened for writing through
 * {@code /proc/self/fd}, which blocks until start opens it for reading: the create/start split.
 */
public final class InitProtocol {

	public static final int CONTROL_FD = 3;

	/** The descriptors the parent attaches, in order: stdin, stdout, stderr, exec FIFO, console socket. */
	public static final int PASSED_FDS = 5;

	static final int EXEC_FIFO_INDEX = 3;

	static final int CONSOLE_SOCKET_INDEX = 4;

	public static final String READY = "ready";

	public static final String ERROR_PREFIX = "error ";

	/** A spec is a few KiB; this cap keeps a hostile parent from making the init buffer without end. */
	public static final int MAX_BOOTSTRAP_BYTES = 4 << 20;

	public static final String MODE_STANDARD = "standard";

	public static final String MODE_SETNS = "setns";

	/** The argument that starts an init warm: it loads and trains itself, then waits for a container. */
	public static final String WARM = "--warm";

	/** A warm init's line once trained, before it waits for its bootstrap. */
	public static final String WARMED = "warmed";

	private InitProtocol() {
	}

}
