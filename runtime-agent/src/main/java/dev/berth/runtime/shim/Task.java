package dev.berth.runtime.shim;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.berth.runtime.linux.Kernel;
import dev.berth.runtime.linux.Pty;
import dev.berth.runtime.shim.io.StdinWriter;

/**
 * A process the shim is parent of: a container's init (empty exec id) or an exec. It owns the
 * process's stdio: the stdin writer, the pty master, and the attached clients its output fans out
 * to. The exit completes once the process is reaped and its output has drained, so a waiter
 * never misses the last lines.
 */
final class Task {

	enum Phase {

		CREATED, RUNNING, STOPPED

	}

	private final String containerId;

	private final String execId;

	private final boolean terminal;

	private final String processJson;

	private final StdioConfig stdio;

	private final long createdAtNanos = System.currentTimeMillis() * 1_000_000L;

	private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();

	private final List<Attachment> attachments = new CopyOnWriteArrayList<>();

	private volatile int pid;

	private volatile Phase phase = Phase.CREATED;

	private volatile long startedAtNanos;

	/** The process's stdin once it is spawned: an exec spawns at its start, after its clients attached. */
	private final CompletableFuture<StdinWriter> stdin = new CompletableFuture<>();

	private volatile boolean stdinClosed;

	private volatile int master = -1;

	private int openOutputs;

	private ExitStatus reaped;

	Task(String containerId, String execId, boolean terminal, String processJson, StdioConfig stdio) {
		this.containerId = containerId;
		this.execId = execId;
		this.terminal = terminal;
		this.processJson = processJson;
		this.stdio = stdio;
	}

	String containerId() {
		return this.containerId;
	}

	String execId() {
		return this.execId;
	}

	String key() {
		return key(this.containerId, this.execId);
	}

	static String key(String containerId, String execId) {
		return execId.isEmpty() ? containerId : containerId + "/" + execId;
	}

	boolean terminal() {
		return this.terminal;
	}

	String processJson() {
		return this.processJson;
	}

	StdioConfig stdio() {
		return this.stdio;
	}

	int pid() {
		return this.pid;
	}

	Phase phase() {
		return this.phase;
	}

	long createdAtNanos() {
		return this.createdAtNanos;
	}

	long startedAtNanos() {
		return this.startedAtNanos;
	}

	CompletableFuture<ExitStatus> exit() {
		return this.exit;
	}

	void spawned(int pid, int openOutputs) {
		this.pid = pid;
		synchronized (this) {
			this.openOutputs = openOutputs;
		}
	}

	/**
	 * The process was told to run. One that is stopped already stays stopped: a workload like
	 * {@code true} can exit, and be reaped, before the start that released it returns.
	 */
	synchronized void started() {
		this.startedAtNanos = System.currentTimeMillis() * 1_000_000L;
		if (this.phase == Phase.CREATED) {
			this.phase = Phase.RUNNING;
		}
	}

	void useStdin(StdinWriter writer) {
		this.stdin.complete(writer);
		// a client that half-closed before the spawn: set and checked in the order closeStdin reverses
		if (this.stdinClosed) {
			writer.close();
		}
	}

	/** Whether the process reads stdin from its clients: asked for at create or exec, or through its terminal. */
	boolean takesStdin() {
		return this.stdio.stdin() || this.terminal;
	}

	/** Writes to the process's stdin, waiting for its spawn; dropped once the process is gone unspawned. */
	void writeStdin(byte[] data) throws InterruptedException {
		StdinWriter writer;
		try {
			writer = this.stdin.get();
		}
		catch (java.util.concurrent.ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
		if (writer != null) {
			writer.write(data);
		}
	}

	/** The clients have no more input: stdin closes now, or as soon as the process is spawned. */
	void closeStdin() {
		this.stdinClosed = true;
		StdinWriter writer = this.stdin.getNow(null);
		if (writer != null) {
			writer.close();
		}
	}

	/** The task is deleted: writers waiting for a spawn that will not come go on. */
	void released() {
		this.stdin.complete(null);
	}

	void useMaster(int master) {
		this.master = master;
	}

	void resize(int width, int height) {
		if (this.master < 0) {
			throw new ShimException(ShimException.Kind.INVALID, "process " + key() + " has no terminal");
		}
		Pty.setSize(this.master, height, width);
	}

	/** Output of the process, on the I/O thread: to every attached client. */
	void output(int stream, byte[] data, int length) {
		for (Attachment attachment : this.attachments) {
			attachment.send(stream, data, length);
		}
	}

	void attach(Attachment attachment) {
		this.attachments.add(attachment);
		if (this.exit.isDone()) {
			attachment.finish(this.exit.join());
		}
	}

	void detach(Attachment attachment) {
		this.attachments.remove(attachment);
	}

	/** One of the output streams reached its end. */
	void outputEnded() {
		ExitStatus status;
		synchronized (this) {
			this.openOutputs--;
			status = (this.openOutputs <= 0) ? this.reaped : null;
		}
		if (status != null) {
			finish(status);
		}
	}

	/** The reaper collected the process. */
	void reaped(ExitStatus status, boolean waitForOutput) {
		boolean now;
		synchronized (this) {
			this.reaped = status;
			now = this.openOutputs <= 0 || !waitForOutput;
		}
		if (now) {
			finish(status);
		}
	}

	void finish(ExitStatus status) {
		synchronized (this) {
			this.phase = Phase.STOPPED;
		}
		this.stdin.complete(null);
		if (this.exit.complete(status)) {
			if (this.master >= 0) {
				Kernel.close(this.master);
				this.master = -1;
			}
			for (Attachment attachment : this.attachments) {
				attachment.finish(status);
			}
		}
	}

	/** How a create or exec request wants the process's stdio. */
	record StdioConfig(boolean terminal, boolean stdin, String logPath, long logMaxSize, int logMaxFiles, int width,
			int height) {

		static final StdioConfig NONE = new StdioConfig(false, false, "", 0, 0, 0, 0);

	}

}
