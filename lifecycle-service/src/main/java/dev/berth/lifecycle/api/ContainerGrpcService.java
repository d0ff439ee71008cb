package dev.berth.lifecycle.api;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import org.springframework.grpc.server.service.GrpcService;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.LogsResponse;
import dev.berth.contracts.agent.v1.SnapshotUsage;
import dev.berth.contracts.agent.v1.StdioStream;
import dev.berth.contracts.lifecycle.v1.AttachRequest;
import dev.berth.contracts.lifecycle.v1.AttachResponse;
import dev.berth.contracts.lifecycle.v1.ChangesRequest;
import dev.berth.contracts.lifecycle.v1.ChangesResponse;
import dev.berth.contracts.lifecycle.v1.CommitRequest;
import dev.berth.contracts.lifecycle.v1.CommitResponse;
import dev.berth.contracts.lifecycle.v1.ContainerChange;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.CreateRequest;
import dev.berth.contracts.lifecycle.v1.CreateResponse;
import dev.berth.contracts.lifecycle.v1.ExportRequest;
import dev.berth.contracts.lifecycle.v1.ExportResponse;
import dev.berth.contracts.lifecycle.v1.GetArchiveRequest;
import dev.berth.contracts.lifecycle.v1.GetArchiveResponse;
import dev.berth.contracts.lifecycle.v1.InspectRequest;
import dev.berth.contracts.lifecycle.v1.InspectResponse;
import dev.berth.contracts.lifecycle.v1.KillRequest;
import dev.berth.contracts.lifecycle.v1.KillResponse;
import dev.berth.contracts.lifecycle.v1.ListRequest;
import dev.berth.contracts.lifecycle.v1.ListResponse;
import dev.berth.contracts.lifecycle.v1.LogEntry;
import dev.berth.contracts.lifecycle.v1.LogsRequest;
import dev.berth.contracts.lifecycle.v1.PathStat;
import dev.berth.contracts.lifecycle.v1.PauseRequest;
import dev.berth.contracts.lifecycle.v1.PauseResponse;
import dev.berth.contracts.lifecycle.v1.PruneRequest;
import dev.berth.contracts.lifecycle.v1.PruneResponse;
import dev.berth.contracts.lifecycle.v1.PutArchiveOptions;
import dev.berth.contracts.lifecycle.v1.PutArchiveRequest;
import dev.berth.contracts.lifecycle.v1.PutArchiveResponse;
import dev.berth.contracts.lifecycle.v1.RemoveRequest;
import dev.berth.contracts.lifecycle.v1.RemoveResponse;
import dev.berth.contracts.lifecycle.v1.RenameRequest;
import dev.berth.contracts.lifecycle.v1.RenameResponse;
import dev.berth.contracts.lifecycle.v1.ResizeRequest;
import dev.berth.contracts.lifecycle.v1.ResizeResponse;
import dev.berth.contracts.lifecycle.v1.RestartRequest;
import dev.berth.contracts.lifecycle.v1.RestartResponse;
import dev.berth.contracts.lifecycle.v1.StartRequest;
import dev.berth.contracts.lifecycle.v1.StartResponse;
import dev.berth.contracts.lifecycle.v1.StatPathRequest;
import dev.berth.contracts.lifecycle.v1.StatPathResponse;
import dev.berth.contracts.lifecycle.v1.StatsRequest;
import dev.berth.contracts.lifecycle.v1.StatsResponse;
import dev.berth.contracts.lifecycle.v1.StopRequest;
import dev.berth.contracts.lifecycle.v1.StopResponse;
import dev.berth.contracts.lifecycle.v1.Stream;
import dev.berth.contracts.lifecycle.v1.StreamHeader;
import dev.berth.contracts.lifecycle.v1.TopProcess;
import dev.berth.contracts.lifecycle.v1.TopRequest;
import dev.berth.contracts.lifecycle.v1.TopResponse;
import dev.berth.contracts.lifecycle.v1.UnpauseRequest;
import dev.berth.contracts.lifecycle.v1.UnpauseResponse;
import dev.berth.contracts.lifecycle.v1.UpdateRequest;
import dev.berth.contracts.lifecycle.v1.UpdateResponse;
import dev.berth.contracts.lifecycle.v1.WaitRegistered;
import dev.berth.contracts.lifecycle.v1.WaitRequest;
import dev.berth.contracts.lifecycle.v1.WaitResponse;
import dev.berth.contracts.lifecycle.v1.WaitResult;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.LifecycleProperties;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.task.AttachSession;
import dev.berth.lifecycle.task.Commits;
import dev.berth.lifecycle.task.ContainerFilesystems;
import dev.berth.lifecycle.task.ContainerPrune;
import dev.berth.lifecycle.task.ContainerUpdates;
import dev.berth.lifecycle.task.Containers;
import dev.berth.lifecycle.task.HealthChecks;

/** {@code berth.lifecycle.v1.ContainerService}: parses each request, calls {@link Containers}, answers. */
@GrpcService
class ContainerGrpcService extends ContainerServiceGrpc.ContainerServiceImplBase {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final java.time.Duration STATS_INTERVAL = java.time.Duration.ofSeconds(1);

	private final Containers containers;

	private final ContainerStore store;

	private final ContainerJson views;

	private final HealthChecks health;

	private final ContainerFilesystems filesystems;

	private final ContainerUpdates updates;

	private final ContainerPrune pruning;

	private final Commits commits;

	ContainerGrpcService(Containers containers, ContainerStore store, HealthChecks health,
			ContainerFilesystems filesystems, ContainerUpdates updates, ContainerPrune pruning, Commits commits,
			LifecycleProperties properties) {
		this.containers = containers;
		this.updates = updates;
		this.pruning = pruning;
		this.store = store;
		this.health = health;
		this.filesystems = filesystems;
		this.commits = commits;
		this.views = new ContainerJson(properties.dataRoot());
	}

	/** Docker's SizeRw and SizeRootFs, when the node still has the container's filesystem. */
	private static void withSize(ObjectNode json, SnapshotUsage usage) {
		if (usage != null) {
			json.put("SizeRw", usage.getSizeRw());
			json.put("SizeRootFs", usage.getSizeRootFs());
		}
	}

	@Override
	public void create(CreateRequest request, StreamObserver<CreateResponse> observer) {
		unary(observer, () -> {
			Containers.Created created = this.containers.create(request.getName(), parseObject(request.getBodyJson()));
			return CreateResponse.newBuilder().setId(created.id()).addAllWarnings(created.warnings()).build();
		});
	}

	@Override
	public void inspect(InspectRequest request, StreamObserver<InspectResponse> observer) {
		unary(observer, () -> {
			Container container = this.store.get(request.getContainer());
			ObjectNode json = this.views.inspect(container, this.store.listExecs(container.id()),
					this.health.health(container.id()));
			if (request.getSize()) {
				withSize(json, this.filesystems.usage(List.of(container)).get(container.id()));
			}
			return InspectResponse.newBuilder().setJson(ByteString.copyFromUtf8(json.toString())).build();
		});
	}

	@Override
	public void list(ListRequest request, StreamObserver<ListResponse> observer) {
		unary(observer, () -> {
			var filter = ContainerFilters.of(request.getFiltersMap(), this.store::find,
					(c) -> this.health.health(c.id()).map(HealthChecks.Health::status).orElse("none"));
			List<Container> all = this.store.list();
			ListResponse.Builder response = ListResponse.newBuilder();
			// dockerd: a limit, before or since shows stopped containers too
			boolean all_ = request.getAll() || request.getLimit() > 0 || request.getFiltersMap().containsKey("before")
					|| request.getFiltersMap().containsKey("since") || request.getFiltersMap().containsKey("status")
					|| request.getFiltersMap().containsKey("exited");
			List<Container> listed = all.stream()
				.filter((c) -> all_ || c.state().status() == dev.berth.lifecycle.container.ContainerStatus.RUNNING
						|| c.state().status() == dev.berth.lifecycle.container.ContainerStatus.PAUSED)
				.filter(filter)
				.limit((request.getLimit() > 0) ? request.getLimit() : Long.MAX_VALUE)
				.toList();
			Map<String, SnapshotUsage> sizes = request.getSize() ? this.filesystems.usage(listed) : Map.of();
			for (Container c : listed) {
				ObjectNode summary = this.views.summary(c, this.health.health(c.id()));
				if (request.getSize()) {
					withSize(summary, sizes.get(c.id()));
				}
				response.addContainersJson(ByteString.copyFromUtf8(summary.toString()));
			}
			return response.build();
		});
	}

	@Override
	public void start(StartRequest request, StreamObserver<StartResponse> observer) {
		unary(observer, () -> StartResponse.newBuilder()
			.setNotModified(!this.containers.start(request.getContainer()))
			.build());
	}

	@Override
	public void stop(StopRequest request, StreamObserver<StopResponse> observer) {
		unary(observer, () -> StopResponse.newBuilder()
			.setNotModified(!this.containers.stop(request.getContainer(),
					request.hasTimeout() ? request.getTimeout() : null, request.getSignal()))
			.build());
	}

	@Override
	public void restart(RestartRequest request, StreamObserver<RestartResponse> observer) {
		unary(observer, () -> {
			this.containers.restart(request.getContainer(), request.hasTimeout() ? request.getTimeout() : null,
					request.getSignal());
			return RestartResponse.getDefaultInstance();
		});
	}

	@Override
	public void kill(KillRequest request, StreamObserver<KillResponse> observer) {
		unary(observer, () -> {
			this.containers.kill(request.getContainer(), request.getSignal());
			return KillResponse.getDefaultInstance();
		});
	}

	@Override
	public void pause(PauseRequest request, StreamObserver<PauseResponse> observer) {
		unary(observer, () -> {
			this.containers.pause(request.getContainer());
			return PauseResponse.getDefaultInstance();
		});
	}

	@Override
	public void unpause(UnpauseRequest request, StreamObserver<UnpauseResponse> observer) {
		unary(observer, () -> {
			this.containers.unpause(request.getContainer());
			return UnpauseResponse.getDefaultInstance();
		});
	}

	@Override
	public void wait(WaitRequest request, StreamObserver<WaitResponse> observer) {
		ServerCallStreamObserver<WaitResponse> responses = (ServerCallStreamObserver<WaitResponse>) observer;
		try {
			var outcome = this.containers.waitFor(request.getContainer(), request.getCondition());
			responses.setOnCancelHandler(() -> outcome.cancel(false));
			responses.onNext(WaitResponse.newBuilder().setRegistered(WaitRegistered.getDefaultInstance()).build());
			outcome.thenAccept((result) -> {
				synchronized (responses) {
					if (!responses.isCancelled()) {
						responses.onNext(WaitResponse.newBuilder()
							.setResult(WaitResult.newBuilder()
								.setStatusCode(result.statusCode())
								.setError(result.error()))
							.build());
						responses.onCompleted();
					}
				}
			});
		}
		catch (RuntimeException ex) {
			observer.onError(LifecycleErrors.toStatus(ex));
		}
	}

	@Override
	public void remove(RemoveRequest request, StreamObserver<RemoveResponse> observer) {
		unary(observer, () -> {
			if (request.getLink()) {
				throw new InvalidArgumentException("links are not supported: there are no legacy links to remove");
			}
			this.containers.remove(request.getContainer(), request.getForce());
			return RemoveResponse.getDefaultInstance();
		});
	}

	@Override
	public void rename(RenameRequest request, StreamObserver<RenameResponse> observer) {
		unary(observer, () -> {
			this.containers.rename(request.getContainer(), request.getNewName());
			return RenameResponse.getDefaultInstance();
		});
	}

	@Override
	public void update(UpdateRequest request, StreamObserver<UpdateResponse> observer) {
		unary(observer, () -> UpdateResponse.newBuilder()
			.addAllWarnings(this.updates.update(request.getContainer(), parseObject(request.getBodyJson())))
			.build());
	}

	@Override
	public void prune(PruneRequest request, StreamObserver<PruneResponse> observer) {
		unary(observer, () -> {
			ContainerPrune.Pruned pruned = this.pruning
				.prune(ContainerFilters.forPrune(request.getFiltersMap(), java.time.Clock.systemDefaultZone()));
			return PruneResponse.newBuilder()
				.addAllDeleted(pruned.deleted())
				.setSpaceReclaimed(pruned.spaceReclaimed())
				.build();
		});
	}

	@Override
	public void top(TopRequest request, StreamObserver<TopResponse> observer) {
		unary(observer, () -> {
			var top = this.containers.top(request.getContainer(), request.getPsArgs());
			TopResponse.Builder response = TopResponse.newBuilder().addAllTitles(top.getTitlesList());
			top.getProcessesList()
				.forEach((process) -> response.addProcesses(TopProcess.newBuilder().addAllFields(process.getFieldsList())));
			return response.build();
		});
	}

	/**
	 * {@code docker stats}: a sample a second, each with the one before as precpu; without
	 * {@code stream}, one sample (after a second one has been taken, unless one-shot).
	 */
	@Override
	public void stats(StatsRequest request, StreamObserver<StatsResponse> observer) {
		ServerCallStreamObserver<StatsResponse> responses = (ServerCallStreamObserver<StatsResponse>) observer;
		try {
			Container container = this.store.get(request.getContainer());
			var previous = (request.getStream() || request.getOneShot()) ? null
					: this.containers.stats(container.id()).orElse(null);
			if (previous != null) {
				Thread.sleep(STATS_INTERVAL);
			}
			while (!responses.isCancelled()) {
				var sample = this.containers.stats(container.id()).orElse(null);
				responses.onNext(StatsResponse.newBuilder()
					.setJson(ByteString.copyFromUtf8(StatsJson.of(container, sample, previous).toString()))
					.build());
				if (!request.getStream() || sample == null) {
					break;
				}
				previous = sample;
				Thread.sleep(STATS_INTERVAL);
			}
			if (!responses.isCancelled()) {
				responses.onCompleted();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			if (!responses.isCancelled()) {
				observer.onError(LifecycleErrors.toStatus(ex));
			}
		}
	}

	@Override
	public void resize(ResizeRequest request, StreamObserver<ResizeResponse> observer) {
		unary(observer, () -> {
			this.containers.resize(request.getContainer(), request.getHeight(), request.getWidth());
			return ResizeResponse.getDefaultInstance();
		});
	}

	@Override
	public void logs(LogsRequest request, StreamObserver<dev.berth.contracts.lifecycle.v1.LogsResponse> observer) {
		try {
			boolean tty = this.containers.tty(request.getContainer());
			Iterator<LogsResponse> entries = this.containers.logs(request.getContainer(),
					dev.berth.contracts.agent.v1.LogsRequest.newBuilder()
						.setFollow(request.getFollow())
						.setStdout(request.getStdout())
						.setStderr(request.getStderr())
						.setSinceUnixNano(request.getSinceUnixNano())
						.setUntilUnixNano(request.getUntilUnixNano())
						.setTail(request.getTail()));
			observer.onNext(dev.berth.contracts.lifecycle.v1.LogsResponse.newBuilder()
				.setHeader(StreamHeader.newBuilder().setTty(tty))
				.build());
			// this thread carries the call's context: a client that goes away cancels the node's read
			while (entries.hasNext()) {
				LogsResponse entry = entries.next();
				observer.onNext(dev.berth.contracts.lifecycle.v1.LogsResponse.newBuilder()
					.setEntry(LogEntry.newBuilder()
						.setStream(stream(entry.getStream()))
						.setData(entry.getData())
						.setTimeUnixNano(entry.getTimeUnixNano()))
					.build());
			}
			observer.onCompleted();
		}
		catch (RuntimeException ex) {
			if (!((ServerCallStreamObserver<?>) observer).isCancelled()) {
				observer.onError(LifecycleErrors.toStatus(ex));
			}
		}
	}

	@Override
	public StreamObserver<AttachRequest> attach(StreamObserver<AttachResponse> observer) {
		StreamingClient<AttachResponse> client = new StreamingClient<>(observer,
				(header) -> AttachResponse.newBuilder().setAttached(header).build(),
				(stream, data) -> AttachResponse.newBuilder().setOutput(StreamingClient.frame(stream, data)).build());
		return SessionRequests.of(observer, client, (first) -> {
			boolean tty = this.containers.tty(first.getContainer());
			AttachSession session = this.containers.attach(first.getContainer(),
					new AttachSession.Options(first.getStdin(), first.getStdout(), first.getStderr(), false,
							first.getDetachKeys()),
					client);
			client.ready(tty);
			return session;
		}, AttachRequest::getData, AttachRequest::getCloseStdin);
	}

	@Override
	public void statPath(StatPathRequest request, StreamObserver<StatPathResponse> observer) {
		unary(observer, () -> StatPathResponse.newBuilder()
			.setStat(stat(this.filesystems.stat(request.getContainer(), request.getPath())))
			.build());
	}

	@Override
	public void getArchive(GetArchiveRequest request, StreamObserver<GetArchiveResponse> observer) {
		relay(observer, () -> this.filesystems.read(request.getContainer(), request.getPath()),
				(part) -> part.hasStat() ? GetArchiveResponse.newBuilder().setStat(stat(part.getStat())).build()
						: GetArchiveResponse.newBuilder().setData(part.getData()).build());
	}

	@Override
	public void export(ExportRequest request, StreamObserver<ExportResponse> observer) {
		relay(observer, () -> this.filesystems.export(request.getContainer()),
				(part) -> ExportResponse.newBuilder().setData(part.getData()).build());
	}

	@Override
	public void changes(ChangesRequest request, StreamObserver<ChangesResponse> observer) {
		unary(observer, () -> {
			ChangesResponse.Builder response = ChangesResponse.newBuilder();
			this.filesystems.changes(request.getContainer())
				.getChangesList()
				.forEach((change) -> response.addChanges(
						ContainerChange.newBuilder().setPath(change.getPath()).setKind(dockerKind(change.getKind()))));
			return response.build();
		});
	}

	@Override
	public StreamObserver<PutArchiveRequest> putArchive(StreamObserver<PutArchiveResponse> observer) {
		return new StreamObserver<>() {

			private ContainerFilesystems.ArchiveWriter writer;

			private boolean failed;

			@Override
			public void onNext(PutArchiveRequest request) {
				if (this.failed) {
					return;
				}
				try {
					if (this.writer == null) {
						PutArchiveOptions options = request.getOptions();
						this.writer = ContainerGrpcService.this.filesystems.write(options.getContainer(),
								options.getPath(), options.getNoOverwriteDirNonDir(), options.getCopyUidGid());
					}
					else {
						this.writer.write(request.getData().toByteArray());
					}
				}
				catch (RuntimeException ex) {
					this.failed = true;
					if (this.writer != null) {
						this.writer.abort();
					}
					observer.onError(LifecycleErrors.toStatus(ex));
				}
			}

			@Override
			public void onError(Throwable error) {
				if (this.writer != null) {
					this.writer.abort();
				}
			}

			@Override
			public void onCompleted() {
				if (this.failed) {
					return;
				}
				unary(observer, () -> {
					if (this.writer == null) {
						throw new InvalidArgumentException("no archive options were sent");
					}
					this.writer.finish();
					return PutArchiveResponse.getDefaultInstance();
				});
			}
		};
	}

	@Override
	public void commit(CommitRequest request, StreamObserver<CommitResponse> observer) {
		unary(observer, () -> CommitResponse.newBuilder()
			.setId(this.commits.commit(new Commits.Request(request.getContainer(), request.getRepository(),
					request.getTag(), request.getComment(), request.getAuthor(), request.getPause(),
					request.getChangesList(),
					request.getConfigJson().isEmpty() ? null : parseObject(request.getConfigJson()))))
			.build());
	}

	/** A node's server stream passed on; a client that goes away cancels the node's call with this one's context. */
	private static <T, R> void relay(StreamObserver<R> observer, Supplier<Iterator<T>> call, Function<T, R> convert) {
		try {
			Iterator<T> parts = call.get();
			while (parts.hasNext()) {
				observer.onNext(convert.apply(parts.next()));
			}
			observer.onCompleted();
		}
		catch (RuntimeException ex) {
			if (!((ServerCallStreamObserver<?>) observer).isCancelled()) {
				observer.onError(LifecycleErrors.toStatus(ex));
			}
		}
	}

	/** Docker's Kind numbers: 0 modified, 1 added, 2 deleted. */
	private static int dockerKind(dev.berth.contracts.agent.v1.ChangeKind kind) {
		return switch (kind) {
			case CHANGE_KIND_ADDED -> 1;
			case CHANGE_KIND_DELETED -> 2;
			default -> 0;
		};
	}

	private static PathStat stat(dev.berth.contracts.agent.v1.PathStat stat) {
		return PathStat.newBuilder()
			.setName(stat.getName())
			.setSize(stat.getSize())
			.setMode(stat.getMode())
			.setMtimeUnixNano(stat.getMtimeUnixNano())
			.setLinkTarget(stat.getLinkTarget())
			.build();
	}

	private static Stream stream(StdioStream stream) {
		return (stream == StdioStream.STDIO_STREAM_STDERR) ? Stream.STREAM_STDERR : Stream.STREAM_STDOUT;
	}

	static ObjectNode parseObject(ByteString json) {
		JsonNode node;
		try {
			node = JSON.readTree(json.toByteArray());
		}
		catch (RuntimeException ex) {
			throw new InvalidArgumentException("invalid JSON: " + ex.getMessage());
		}
		if (node instanceof ObjectNode object) {
			return object;
		}
		throw new InvalidArgumentException("invalid JSON: expected an object");
	}

	static <T> void unary(StreamObserver<T> observer, Supplier<T> call) {
		T response;
		try {
			response = call.get();
		}
		catch (RuntimeException ex) {
			observer.onError(LifecycleErrors.toStatus(ex));
			return;
		}
		observer.onNext(response);
		observer.onCompleted();
	}

}
