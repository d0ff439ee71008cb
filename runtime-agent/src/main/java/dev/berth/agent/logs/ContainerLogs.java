package dev.berth.agent.logs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import org.springframework.stereotype.Component;

import dev.berth.agent.AgentErrors;
import dev.berth.agent.CallCancellation;
import dev.berth.agent.container.ContainerDirectories;
import dev.berth.contracts.agent.v1.LogsRequest;
import dev.berth.contracts.agent.v1.LogsResponse;
import dev.berth.contracts.agent.v1.StdioStream;
import dev.berth.runtime.shim.ShimClient;
import dev.berth.runtime.shim.ShimException;
import dev.berth.runtime.shim.io.JsonFileLogReader;
import dev.berth.runtime.shim.io.LogEntry;
import dev.berth.runtime.spec.Json;

/**
 * {@code docker logs} on this node: a container's json-file log read back (stdout, stderr or both,
 * the last n entries, a time window) and, with follow, on as it grows. A follow ends once what the
 * container wrote is read and its task has exited; a container not running when the call starts
 * is read to the end of its log and no further. The client's cancel ends it at any point.
 */
@Component
public class ContainerLogs {

	private final ShimClient shim;

	private final ContainerDirectories directories;

	public ContainerLogs(ShimClient shim, ContainerDirectories directories) {
		this.shim = shim;
		this.directories = directories;
	}

	/** Streams the log to {@code call}; returns at once, the reading goes on on a virtual thread. */
	public void stream(LogsRequest request, ServerCallStreamObserver<LogsResponse> call) {
		CallCancellation cancellation = CallCancellation.of(call);
		Object ready = new Object();
		call.setOnReadyHandler(() -> {
			synchronized (ready) {
				ready.notifyAll();
			}
		});
		JsonFileLogReader reader;
		try {
			if (!request.getStdout() && !request.getStderr()) {
				throw new IllegalArgumentException("You must choose at least one stream");
			}
			String id = request.getContainerId();
			this.directories.requireExisting(id);
			reader = JsonFileLogReader.open(this.directories.logFile(id), query(request));
		}
		catch (IOException | RuntimeException ex) {
			call.onError(AgentErrors.toStatus(ex));
			return;
		}
		cancellation.opened(reader::close);
		if (request.getFollow()) {
			endFollowAtExit(request.getContainerId(), reader, cancellation);
		}
		Thread.ofVirtual().name("berth-logs").start(() -> {
			try {
				LogEntry entry;
				while ((entry = reader.next()) != null) {
					boolean stderr = entry.stream().equals("stderr");
					if (stderr ? !request.getStderr() : !request.getStdout()) {
						continue;
					}
					awaitReady(call, ready);
					call.onNext(LogsResponse.newBuilder()
						.setStream(stderr ? StdioStream.STDIO_STREAM_STDERR : StdioStream.STDIO_STREAM_STDOUT)
						.setData(ByteString.copyFrom(entry.log(), StandardCharsets.UTF_8))
						.setTimeUnixNano(unixNanos(entry.time()))
						.build());
				}
				if (!call.isCancelled()) {
					call.onCompleted();
				}
			}
			catch (IOException | RuntimeException ex) {
				if (!call.isCancelled()) {
					call.onError(AgentErrors.toStatus(ex));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				// the reader, and the wait for the exit if it still waits
				cancellation.cancel();
			}
		});
	}

	/**
	 * Ends the follow when the task exits: the shim completes an exit only after the process's
	 * output has reached the log, so nothing written is missed. A task that is not running (or
	 * not there) ends it at once.
	 */
	private void endFollowAtExit(String id, JsonFileLogReader reader, CallCancellation cancellation) {
		String status;
		try {
			status = this.shim.callForObject(Json.obj("op", "state", "id", id, "execId", "")).string("status", "");
		}
		catch (ShimException ex) {
			status = "";
		}
		if (!status.equals("running") && !status.equals("paused")) {
			reader.endFollow();
			return;
		}
		Thread.ofVirtual().name("berth-logs-exit").start(() -> {
			try {
				this.shim.call(Json.obj("op", "wait", "id", id, "execId", ""), cancellation::opened);
			}
			catch (RuntimeException ex) {
				// deleted, the shim gone, or the call cancelled: in any case nothing more is written
			}
			finally {
				reader.endFollow();
			}
		});
	}

	/** Holds back while the client reads slower than the log is read: gRPC would buffer it all. */
	private static void awaitReady(ServerCallStreamObserver<LogsResponse> call, Object ready)
			throws InterruptedException {
		synchronized (ready) {
			while (!call.isReady() && !call.isCancelled()) {
				ready.wait(1000); // a cancel does not run the ready handler
			}
		}
	}

	private static JsonFileLogReader.Query query(LogsRequest request) {
		int tail = (request.getTail() < 0) ? -1 : (int) Math.min(request.getTail(), Integer.MAX_VALUE);
		return JsonFileLogReader.Query.all()
			.withTail(tail)
			.withSince(instant(request.getSinceUnixNano()))
			.withUntil(instant(request.getUntilUnixNano()))
			.withFollow(request.getFollow());
	}

	private static Instant instant(long unixNanos) {
		return (unixNanos == 0) ? null : Instant.ofEpochSecond(0, unixNanos);
	}

	private static long unixNanos(Instant time) {
		return time.getEpochSecond() * 1_000_000_000L + time.getNano();
	}

}
