package dev.berth.lifecycle.task;

import java.io.ByteArrayOutputStream;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.node.Node;

/**
 * One client attached to a container's stdio, from before its start (then stdin typed early waits
 * here) or while it runs. Stdin passes the detach-key filter; a closed stdin reaches the container
 * only when its config says {@code StdinOnce}, as with Docker.
 */
public final class AttachSession implements StdinSession {

	/** Stdin typed before the container starts is kept up to this size. */
	private static final int MAX_EARLY_STDIN = 1 << 20;

	public record Options(boolean stdin, boolean stdout, boolean stderr, boolean stdinOnce, String detachKeys) {
	}

	private final String containerId;

	private final Options options;

	private final AttachClient client;

	private final DetachKeys detachKeys;

	private final Runnable onEnd;

	private final ByteArrayOutputStream earlyStdin = new ByteArrayOutputStream();

	private NodeAttach node;

	private boolean stdinClosedEarly;

	private boolean ended;

	AttachSession(String containerId, Options options, AttachClient client, Runnable onEnd) {
		this.containerId = containerId;
		this.options = options;
		this.client = client;
		this.detachKeys = DetachKeys.parse(options.detachKeys());
		this.onEnd = onEnd;
	}

	String containerId() {
		return this.containerId;
	}

	/** Attaches to the container's process on its node; stdin typed so far is sent. */
	synchronized void connect(Node node) {
		if (this.ended || this.node != null) {
			return;
		}
		this.node = NodeAttach.open(node, this.containerId, "", this.options.stdin(), this.options.stdout(),
				this.options.stderr(), new AttachClient() {
					@Override
					public void output(dev.berth.contracts.lifecycle.v1.Stream stream, byte[] data) {
						AttachSession.this.client.output(stream, data);
					}

					@Override
					public void end() {
						AttachSession.this.client.end();
						finish();
					}

					@Override
					public void fail(Throwable error) {
						AttachSession.this.client.fail(error);
						finish();
					}
				});
		if (this.earlyStdin.size() > 0) {
			this.node.stdin(this.earlyStdin.toByteArray());
			this.earlyStdin.reset();
		}
		if (this.stdinClosedEarly) {
			this.node.closeStdin();
		}
	}

	@Override
	public synchronized void stdin(byte[] data) {
		if (this.ended || !this.options.stdin()) {
			return;
		}
		DetachKeys.Filtered filtered = this.detachKeys.filter(data);
		if (filtered.passOn().length > 0) {
			if (this.node != null) {
				this.node.stdin(filtered.passOn());
			}
			else if (this.earlyStdin.size() + filtered.passOn().length <= MAX_EARLY_STDIN) {
				this.earlyStdin.writeBytes(filtered.passOn());
			}
			else {
				throw new InvalidArgumentException("more than 1 MiB of stdin before the container started");
			}
		}
		if (filtered.detach()) {
			detach();
		}
	}

	@Override
	public synchronized void closeStdin() {
		if (this.ended || !this.options.stdin() || !this.options.stdinOnce()) {
			return;
		}
		if (this.node != null) {
			this.node.closeStdin();
		}
		else {
			this.stdinClosedEarly = true;
		}
	}

	/** The detach keys were typed: the session ends, the container runs on. */
	synchronized void detach() {
		cancel();
		this.client.end();
	}

	@Override
	public synchronized void cancel() {
		if (this.node != null) {
			this.node.cancel();
		}
		finish();
	}

	/** Ends a session that never reached a process (the container was removed, or failed to start). */
	synchronized void endUnconnected() {
		if (this.node == null && !this.ended) {
			this.client.end();
			finish();
		}
	}

	private synchronized void finish() {
		if (!this.ended) {
			this.ended = true;
			this.onEnd.run();
		}
	}

	synchronized boolean ended() {
		return this.ended;
	}

}
