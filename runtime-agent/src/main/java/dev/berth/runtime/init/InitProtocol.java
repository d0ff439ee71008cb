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
 * <p>Since the descriptors arrive with the bootstrap, an init can exist before anyone knows what
 * container it will become: the shim forks the inits of new containers from one trained init JVM,
 * the zygote ({@link InitZygote}), which says {@code warmed} once trained.
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

	/** The argument that starts the zygote: it trains itself, then forks inits on request. */
	public static final String ZYGOTE = "--zygote";

	/**
	 * A request to the zygote: this first byte says where the copy's pid namespace is, a new one,
	 * ours, or the one at the path that follows (an exec's); then, each after a NUL, the v1
	 * {@code tasks} files the copy writes itself into. The copy's control socket comes with it, and
	 * after it the cgroup2 directory the copy is born in, if the host has one.
	 */
	public static final byte FORK_NEW_PID_NAMESPACE = 'n';

	public static final byte FORK_HOST_PID_NAMESPACE = 'h';

	public static final byte FORK_JOIN_PID_NAMESPACE = 'j';

	/**
	 * A fork request's limit. The zygote reads each request in one call, and a unix stream socket
	 * delivers the first 36 KiB or so of a message (the part with the descriptors) in one piece; a
	 * longer request is never sent, and that init is spawned instead. Nine v1 {@code tasks} paths
	 * of 1.8 KiB each fit.
	 */
	public static final int MAX_FORK_REQUEST_BYTES = 16 << 10;

	/** The zygote's line once trained, before its first request. */
	public static final String WARMED = "warmed";

	private InitProtocol() {
	}

}
