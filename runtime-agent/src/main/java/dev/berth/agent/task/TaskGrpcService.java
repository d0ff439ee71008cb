package dev.berth.agent.task;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

import dev.berth.agent.AgentErrors;
import dev.berth.agent.CallCancellation;
import dev.berth.agent.container.ContainerDirectories;
import dev.berth.agent.logs.ContainerLogs;
import dev.berth.agent.top.ContainerTop;
import dev.berth.contracts.agent.v1.AttachRequest;
import dev.berth.contracts.agent.v1.AttachResponse;
import dev.berth.contracts.agent.v1.CloseIORequest;
import dev.berth.contracts.agent.v1.CloseIOResponse;
import dev.berth.contracts.agent.v1.CreateRequest;
import dev.berth.contracts.agent.v1.CreateResponse;
import dev.berth.contracts.agent.v1.DeleteRequest;
import dev.berth.contracts.agent.v1.DeleteResponse;
import dev.berth.contracts.agent.v1.EventsRequest;
import dev.berth.contracts.agent.v1.EventsResponse;
import dev.berth.contracts.agent.v1.ExecRequest;
import dev.berth.contracts.agent.v1.ExecResponse;
import dev.berth.contracts.agent.v1.KillRequest;
import dev.berth.contracts.agent.v1.KillResponse;
import dev.berth.contracts.agent.v1.ListRequest;
import dev.berth.contracts.agent.v1.ListResponse;
import dev.berth.contracts.agent.v1.LogsRequest;
import dev.berth.contracts.agent.v1.LogsResponse;
import dev.berth.contracts.agent.v1.PauseRequest;
import dev.berth.contracts.agent.v1.PauseResponse;
import dev.berth.contracts.agent.v1.PidsRequest;
import dev.berth.contracts.agent.v1.PidsResponse;
import dev.berth.contracts.agent.v1.ProcessInfo;
import dev.berth.contracts.agent.v1.ResizePtyRequest;
import dev.berth.contracts.agent.v1.ResizePtyResponse;
import dev.berth.contracts.agent.v1.Resources;
import dev.berth.contracts.agent.v1.ResumeRequest;
import dev.berth.contracts.agent.v1.ResumeResponse;
import dev.berth.contracts.agent.v1.StartRequest;
import dev.berth.contracts.agent.v1.StartResponse;
import dev.berth.contracts.agent.v1.StateRequest;
import dev.berth.contracts.agent.v1.StateResponse;
import dev.berth.contracts.agent.v1.StatsRequest;
import dev.berth.contracts.agent.v1.StatsResponse;
import dev.berth.contracts.agent.v1.StdioConfig;
import dev.berth.contracts.agent.v1.TaskExecAdded;
import dev.berth.contracts.agent.v1.TaskExecStarted;
import dev.berth.contracts.agent.v1.TaskExited;
import dev.berth.contracts.agent.v1.TaskOom;
import dev.berth.contracts.agent.v1.TaskPaused;
import dev.berth.contracts.agent.v1.TaskResumed;
import dev.berth.contracts.agent.v1.TaskServiceGrpc;
import dev.berth.contracts.agent.v1.TaskStarted;
import dev.berth.contracts.agent.v1.TaskStatus;
import dev.berth.contracts.agent.v1.TaskDeleted;
import dev.berth.contracts.agent.v1.TopRequest;
import dev.berth.contracts.agent.v1.TopResponse;
import dev.berth.contracts.agent.v1.UpdateRequest;
import dev.berth.contracts.agent.v1.UpdateResponse;
import dev.berth.contracts.agent.v1.WaitRequest;
import dev.berth.contracts.agent.v1.WaitResponse;
import dev.berth.runtime.linux.Signals;
import dev.berth.runtime.shim.ShimClient;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;

/**
 * {@code berth.agent.v1.TaskService}: each call parsed, handed to the node shim, answered. The
 * agent holds no task state of its own, so a restarted agent answers exactly as the one before.
 */
@Service
class TaskGrpcService extends TaskServiceGrpc.TaskServiceImplBase {

	private final ShimClient shim;

	private final Bundles bundles;

	private final ProcessSpecs specs;

	private final ContainerDirectories directories;

	private final ContainerLogs logs;

	private final ContainerTop top;

	private final HostCpu hostCpu = new HostCpu(java.nio.file.Path.of("/proc"));

	TaskGrpcService(ShimClient shim, Bundles bundles, ProcessSpecs specs, ContainerDirectories directories,
			ContainerLogs logs, ContainerTop top) {
		this.shim = shim;
		this.bundles = bundles;
		this.specs = specs;
		this.directories = directories;
		this.logs = logs;
		this.top = top;
	}

	@Override
	public void create(CreateRequest request, StreamObserver<CreateResponse> observer) {
		unary(observer, () -> {
			String id = request.getContainerId();
			var bundle = this.bundles.prepare(id, request.getSpecJson().toStringUtf8(), request.getRootfsList(),
					(spec, rootfs) -> this.specs.completeContainer(request, spec, rootfs));
			try {
				JsonObject result = this.shim.callForObject(Json.obj("op", "create", "id", id, "bundle",
						bundle.toString(), "stdio", stdio(id, request.getStdio())));
				return CreateResponse.newBuilder().setPid((int) result.integer("pid", 0)).build();
			}
			catch (RuntimeException ex) {
				this.bundles.remove(id);
				throw ex;
			}
		});
	}

	@Override
	public void start(StartRequest request, StreamObserver<StartResponse> observer) {
		unary(observer, () -> {
			JsonObject result = this.shim.callForObject(
					Json.obj("op", "start", "id", request.getContainerId(), "execId", request.getExecId()));
			return StartResponse.newBuilder().setPid((int) result.integer("pid", 0)).build();
		});
	}

	@Override
	public void kill(KillRequest request, StreamObserver<KillResponse> observer) {
		unary(observer, () -> {
			int signal = request.getSignalName().isEmpty() ? request.getSignal() : signal(request.getSignalName());
			this.shim.call(Json.obj("op", "kill", "id", request.getContainerId(), "execId", request.getExecId(),
					"signal", signal, "all", request.getAll()));
			return KillResponse.getDefaultInstance();
		});
	}

	@Override
	public void delete(DeleteRequest request, StreamObserver<DeleteResponse> observer) {
		unary(observer, () -> {
			JsonObject result = this.shim.callForObject(Json.obj("op", "delete", "id", request.getContainerId(),
					"execId", request.getExecId(), "force", request.getForce()));
			if (request.getExecId().isEmpty()) {
				this.bundles.remove(request.getContainerId());
			}
			return DeleteResponse.newBuilder()
				.setExitStatus((int) result.integer("exitStatus", 0))
				.setExitedAtUnixNano(result.integer("exitedAt", 0))
				.build();
		});
	}

	@Override
	public void wait(WaitRequest request, StreamObserver<WaitResponse> observer) {
		// a wait may take days: off the gRPC executor, on a virtual thread
		Thread.ofVirtual().name("berth-wait").start(() -> unary(observer, () -> {
			JsonObject result = this.shim.callForObject(
					Json.obj("op", "wait", "id", request.getContainerId(), "execId", request.getExecId()));
			return WaitResponse.newBuilder()
				.setExitStatus((int) result.integer("exitStatus", 0))
				.setExitedAtUnixNano(result.integer("exitedAt", 0))
				.setOomKilled(result.bool("oomKilled", false))
				.build();
		}));
	}

	@Override
	public void state(StateRequest request, StreamObserver<StateResponse> observer) {
		unary(observer, () -> toState(this.shim.callForObject(
				Json.obj("op", "state", "id", request.getContainerId(), "execId", request.getExecId()))));
	}

	@Override
	@SuppressWarnings("unchecked")
	public void list(ListRequest request, StreamObserver<ListResponse> observer) {
		unary(observer, () -> {
			ListResponse.Builder response = ListResponse.newBuilder();
			for (Object item : (List<Object>) this.shim.call(Json.obj("op", "list"))) {
				response.addTasks(toState(new JsonObject("", (Map<String, Object>) item)));
			}
			return response.build();
		});
	}

	@Override
	public void exec(ExecRequest request, StreamObserver<ExecResponse> observer) {
		unary(observer, () -> {
			this.shim.call(Json.obj("op", "exec", "id", request.getContainerId(), "execId", request.getExecId(),
					"process", this.specs.execProcess(request), "stdio",
					stdio(request.getContainerId(), request.getStdio())));
			return ExecResponse.getDefaultInstance();
		});
	}

	@Override
	public void resizePty(ResizePtyRequest request, StreamObserver<ResizePtyResponse> observer) {
		unary(observer, () -> {
			this.shim.call(Json.obj("op", "resize", "id", request.getContainerId(), "execId", request.getExecId(),
					"width", request.getWidth(), "height", request.getHeight()));
			return ResizePtyResponse.getDefaultInstance();
		});
	}

	@Override
	public void closeIO(CloseIORequest request, StreamObserver<CloseIOResponse> observer) {
		unary(observer, () -> {
			this.shim.call(Json.obj("op", "closeStdin", "id", request.getContainerId(), "execId", request.getExecId()));
			return CloseIOResponse.getDefaultInstance();
		});
	}

	@Override
	public void pause(PauseRequest request, StreamObserver<PauseResponse> observer) {
		unary(observer, () -> {
			this.shim.call(Json.obj("op", "pause", "id", request.getContainerId()));
			return PauseResponse.getDefaultInstance();
		});
	}

	@Override
	public void resume(ResumeRequest request, StreamObserver<ResumeResponse> observer) {
		unary(observer, () -> {
			this.shim.call(Json.obj("op", "resume", "id", request.getContainerId()));
			return ResumeResponse.getDefaultInstance();
		});
	}

	@Override
	public void update(UpdateRequest request, StreamObserver<UpdateResponse> observer) {
		unary(observer, () -> {
			this.shim.call(Json.obj("op", "update", "id", request.getContainerId(), "resources",
					resources(request.getResources())));
			return UpdateResponse.getDefaultInstance();
		});
	}

	@Override
	@SuppressWarnings("unchecked")
	public void stats(StatsRequest request, StreamObserver<StatsResponse> observer) {
		unary(observer, () -> {
			JsonObject s = this.shim.callForObject(Json.obj("op", "stats", "id", request.getContainerId()));
			StatsResponse.Builder response = StatsResponse.newBuilder()
				.setCpuUsageNanos(s.integer("cpuUsage", 0))
				.setCpuUserNanos(s.integer("cpuUser", 0))
				.setCpuSystemNanos(s.integer("cpuSystem", 0))
				.setMemoryUsageBytes(s.integer("memoryUsage", 0))
				.setMemoryLimitBytes(s.integer("memoryLimit", 0))
				.setMemoryMaxUsageBytes(s.integer("memoryMaxUsage", 0))
				.setMemoryCacheBytes(s.integer("memoryCache", 0))
				.setPidsCurrent(s.integer("pidsCurrent", 0))
				.setPidsLimit(s.integer("pidsLimit", 0))
				.setOomKills(s.integer("oomKills", 0));
			s.integers("perCpu").forEach(response::addPerCpuUsageNanos);
			HostCpu.Sample host = this.hostCpu.sample();
			java.time.Instant now = java.time.Instant.now();
			return response.setSystemCpuUsageNanos(host.systemCpuNanos())
				.setOnlineCpus(host.onlineCpus())
				.setHostMemoryBytes(host.memoryBytes())
				.setReadAtUnixNano(now.getEpochSecond() * 1_000_000_000L + now.getNano())
				.build();
		});
	}

	@Override
	@SuppressWarnings("unchecked")
	public void pids(PidsRequest request, StreamObserver<PidsResponse> observer) {
		unary(observer, () -> {
			PidsResponse.Builder response = PidsResponse.newBuilder();
			for (Object item : (List<Object>) this.shim.call(Json.obj("op", "pids", "id", request.getContainerId()))) {
				JsonObject process = new JsonObject("", (Map<String, Object>) item);
				response.addProcesses(ProcessInfo.newBuilder()
					.setPid((int) process.integer("pid", 0))
					.setExecId(process.string("execId", "")));
			}
			return response.build();
		});
	}

	@Override
	public void events(EventsRequest request, StreamObserver<EventsResponse> observer) {
		ServerCallStreamObserver<EventsResponse> call = (ServerCallStreamObserver<EventsResponse>) observer;
		CallCancellation cancellation = CallCancellation.of(call);
		Thread.ofVirtual().name("berth-events").start(() -> {
			try {
				this.shim.events((event) -> {
					EventsResponse response = toEvent(event);
					if (response != null) {
						synchronized (call) {
							call.onNext(response);
						}
					}
				}, cancellation::opened);
				if (!call.isCancelled()) {
					call.onCompleted();
				}
			}
			catch (IOException | RuntimeException ex) {
				if (!call.isCancelled()) {
					call.onError(AgentErrors.toStatus(ex));
				}
			}
		});
	}

	@Override
	public void logs(LogsRequest request, StreamObserver<LogsResponse> observer) {
		this.logs.stream(request, (ServerCallStreamObserver<LogsResponse>) observer);
	}

	@Override
	public void top(TopRequest request, StreamObserver<TopResponse> observer) {
		unary(observer, () -> this.top.list(request.getContainerId(), request.getPsArgs()));
	}

	@Override
	public StreamObserver<AttachRequest> attach(StreamObserver<AttachResponse> observer) {
		return new AttachBridge(this.shim, observer);
	}

	private static <T> void unary(StreamObserver<T> observer, Supplier<T> call) {
		T response;
		try {
			response = call.get();
		}
		catch (RuntimeException ex) {
			observer.onError(AgentErrors.toStatus(ex));
			return;
		}
		observer.onNext(response);
		observer.onCompleted();
	}

	private static int signal(String name) {
		try {
			return Signals.parse(name);
		}
		catch (IllegalArgumentException ex) {
			// Docker's wording; AgentErrors makes it INVALID_ARGUMENT
			throw new IllegalArgumentException("Invalid signal: " + name, ex);
		}
	}

	private Map<String, Object> stdio(String id, StdioConfig stdio) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("terminal", stdio.getTerminal());
		map.put("stdin", stdio.getStdin());
		map.put("logPath", this.directories.resolveLogPath(id, stdio.getLogPath()));
		map.put("logMaxSize", stdio.getLogMaxSize());
		map.put("logMaxFiles", stdio.getLogMaxFiles());
		map.put("width", stdio.getConsoleWidth());
		map.put("height", stdio.getConsoleHeight());
		return map;
	}

	/** Resources in the OCI spec's shape, which the shim reads; zero fields are left out. */
	private static Map<String, Object> resources(Resources r) {
		Map<String, Object> memory = new LinkedHashMap<>();
		putIfSet(memory, "limit", r.getMemoryLimitBytes());
		putIfSet(memory, "swap", r.getMemorySwapBytes());
		putIfSet(memory, "reservation", r.getMemoryReservationBytes());
		Map<String, Object> cpu = new LinkedHashMap<>();
		putIfSet(cpu, "shares", r.getCpuShares());
		putIfSet(cpu, "quota", r.getCpuQuota());
		putIfSet(cpu, "period", r.getCpuPeriod());
		if (!r.getCpusetCpus().isEmpty()) {
			cpu.put("cpus", r.getCpusetCpus());
		}
		if (!r.getCpusetMems().isEmpty()) {
			cpu.put("mems", r.getCpusetMems());
		}
		Map<String, Object> pids = new LinkedHashMap<>();
		putIfSet(pids, "limit", r.getPidsLimit());
		return Json.obj("memory", memory, "cpu", cpu, "pids", pids);
	}

	private static void putIfSet(Map<String, Object> map, String key, long value) {
		if (value != 0) {
			map.put(key, value);
		}
	}

	private static StateResponse toState(JsonObject s) {
		TaskStatus status = switch (s.string("status", "")) {
			case "created" -> TaskStatus.TASK_STATUS_CREATED;
			case "running" -> TaskStatus.TASK_STATUS_RUNNING;
			case "paused" -> TaskStatus.TASK_STATUS_PAUSED;
			case "stopped" -> TaskStatus.TASK_STATUS_STOPPED;
			default -> TaskStatus.TASK_STATUS_UNSPECIFIED;
		};
		return StateResponse.newBuilder()
			.setId(s.string("id", ""))
			.setExecId(s.string("execId", ""))
			.setPid((int) s.integer("pid", 0))
			.setStatus(status)
			.setExitStatus((int) s.integer("exitStatus", 0))
			.setExitedAtUnixNano(s.integer("exitedAt", 0))
			.setOomKilled(s.bool("oomKilled", false))
			.setTerminal(s.bool("terminal", false))
			.setCreatedAtUnixNano(s.integer("createdAt", 0))
			.setStartedAtUnixNano(s.integer("startedAt", 0))
			.build();
	}

	private static EventsResponse toEvent(JsonObject e) {
		EventsResponse.Builder event = EventsResponse.newBuilder()
			.setContainerId(e.string("id", ""))
			.setExecId(e.string("execId", ""))
			.setTimestampUnixNano(e.integer("time", 0));
		int pid = (int) e.integer("pid", 0);
		switch (e.string("type", "")) {
			case "start" -> event.setStarted(TaskStarted.newBuilder().setPid(pid));
			case "exit" -> event.setExited(TaskExited.newBuilder()
				.setPid(pid)
				.setExitStatus((int) e.integer("exitStatus", 0))
				.setExitedAtUnixNano(e.integer("exitedAt", 0))
				.setOomKilled(e.bool("oomKilled", false)));
			case "oom" -> event.setOom(TaskOom.getDefaultInstance());
			case "exec-added" -> event.setExecAdded(TaskExecAdded.getDefaultInstance());
			case "exec-started" -> event.setExecStarted(TaskExecStarted.newBuilder().setPid(pid));
			case "paused" -> event.setPaused(TaskPaused.getDefaultInstance());
			case "resumed" -> event.setResumed(TaskResumed.getDefaultInstance());
			case "delete" -> event.setDeleted(TaskDeleted.getDefaultInstance());
			default -> {
				return null; // "create" has no event of its own in the contract
			}
		}
		return event.build();
	}

}
