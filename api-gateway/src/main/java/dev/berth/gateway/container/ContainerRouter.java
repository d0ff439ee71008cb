package dev.berth.gateway.container;

import java.io.IOException;
import java.util.List;

import com.google.protobuf.ByteString;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.CreateRequest;
import dev.berth.contracts.lifecycle.v1.CreateResponse;
import dev.berth.contracts.lifecycle.v1.InspectRequest;
import dev.berth.contracts.lifecycle.v1.KillRequest;
import dev.berth.contracts.lifecycle.v1.ListRequest;
import dev.berth.contracts.lifecycle.v1.PauseRequest;
import dev.berth.contracts.lifecycle.v1.PruneRequest;
import dev.berth.contracts.lifecycle.v1.PruneResponse;
import dev.berth.contracts.lifecycle.v1.RemoveRequest;
import dev.berth.contracts.lifecycle.v1.RenameRequest;
import dev.berth.contracts.lifecycle.v1.RestartRequest;
import dev.berth.contracts.lifecycle.v1.StartRequest;
import dev.berth.contracts.lifecycle.v1.StopRequest;
import dev.berth.contracts.lifecycle.v1.TopRequest;
import dev.berth.contracts.lifecycle.v1.TopResponse;
import dev.berth.contracts.lifecycle.v1.UnpauseRequest;
import dev.berth.contracts.lifecycle.v1.UpdateRequest;
import dev.berth.gateway.api.JsonBodies;
import dev.berth.gateway.api.JsonBytes;
import dev.berth.gateway.lifecycle.LifecycleFilters;

/**
 * Docker's container routes that answer once: each parses the request, calls lifecycle-service's ContainerService
 * and writes Docker's answer. Docker's container JSON (the create body, inspect, the list's summaries) passes through
 * as the bytes it is; lifecycle-service owns its meaning. The routes that stream are in {@link ContainerStreamRouter}.
 */
@RestController
class ContainerRouter {

	private final ContainerServiceGrpc.ContainerServiceBlockingStub containers;

	private final JsonBodies json;

	ContainerRouter(ContainerServiceGrpc.ContainerServiceBlockingStub containers, JsonBodies json) {
		this.containers = containers;
		this.json = json;
	}

	@PostMapping("/containers/create")
	ResponseEntity<ContainerCreateResponse> create(@RequestParam(defaultValue = "") String name,
			@RequestParam(defaultValue = "") String platform, HttpServletRequest request) throws IOException {
		CreateRequest create = CreateRequest.newBuilder()
			// the CLI sends the bare name; dockerd also takes the form with the slash it shows in Names
			.setName(name.startsWith("/") ? name.substring(1) : name)
			.setPlatform(platform)
			.setBodyJson(ByteString.copyFrom(this.json.readObject(request)))
			.build();
		CreateResponse created = this.containers.create(create);
		return ResponseEntity.status(HttpStatus.CREATED)
			.body(new ContainerCreateResponse(created.getId(), created.getWarningsList()));
	}

	@GetMapping("/containers/json")
	ResponseEntity<byte[]> list(@RequestParam(defaultValue = "false") boolean all,
			@RequestParam(defaultValue = "-1") int limit, @RequestParam(defaultValue = "false") boolean size,
			@RequestParam(required = false) String filters) {
		ListRequest request = ListRequest.newBuilder()
			.setAll(all)
			// dockerd reads zero and below as no limit
			.setLimit(Math.max(limit, 0))
			.setSize(size)
			.putAllFilters(LifecycleFilters.parse(this.json, filters))
			.build();
		return JsonBytes.okArray(this.containers.list(request).getContainersJsonList());
	}

	@GetMapping("/containers/{id}/json")
	ResponseEntity<byte[]> inspect(@PathVariable String id, @RequestParam(defaultValue = "false") boolean size) {
		return JsonBytes
			.ok(this.containers.inspect(InspectRequest.newBuilder().setContainer(id).setSize(size).build()).getJson());
	}

	// a body (a HostConfig) was refused from API 1.24 on; dockerd 28 still ignores an empty one, as this does any
	@PostMapping("/containers/{id}/start")
	ResponseEntity<Void> start(@PathVariable String id) {
		return done(this.containers.start(StartRequest.newBuilder().setContainer(id).build()).getNotModified());
	}

	@PostMapping("/containers/{id}/stop")
	ResponseEntity<Void> stop(@PathVariable String id, @RequestParam(name = "t", required = false) Integer timeout,
			@RequestParam(defaultValue = "") String signal) {
		StopRequest.Builder request = StopRequest.newBuilder().setContainer(id).setSignal(signal);
		if (timeout != null) {
			request.setTimeout(timeout);
		}
		return done(this.containers.stop(request.build()).getNotModified());
	}

	@PostMapping("/containers/{id}/restart")
	ResponseEntity<Void> restart(@PathVariable String id, @RequestParam(name = "t", required = false) Integer timeout,
			@RequestParam(defaultValue = "") String signal) {
		RestartRequest.Builder request = RestartRequest.newBuilder().setContainer(id).setSignal(signal);
		if (timeout != null) {
			request.setTimeout(timeout);
		}
		this.containers.restart(request.build());
		return done(false);
	}

	@PostMapping("/containers/{id}/kill")
	ResponseEntity<Void> kill(@PathVariable String id, @RequestParam(defaultValue = "") String signal) {
		this.containers.kill(KillRequest.newBuilder().setContainer(id).setSignal(signal).build());
		return done(false);
	}

	@PostMapping("/containers/{id}/pause")
	ResponseEntity<Void> pause(@PathVariable String id) {
		this.containers.pause(PauseRequest.newBuilder().setContainer(id).build());
		return done(false);
	}

	@PostMapping("/containers/{id}/unpause")
	ResponseEntity<Void> unpause(@PathVariable String id) {
		this.containers.unpause(UnpauseRequest.newBuilder().setContainer(id).build());
		return done(false);
	}

	@DeleteMapping("/containers/{id}")
	ResponseEntity<Void> remove(@PathVariable String id, @RequestParam(defaultValue = "false") boolean force,
			@RequestParam(name = "v", defaultValue = "false") boolean volumes,
			@RequestParam(defaultValue = "false") boolean link) {
		this.containers.remove(
				RemoveRequest.newBuilder().setContainer(id).setForce(force).setVolumes(volumes).setLink(link).build());
		return done(false);
	}

	@PostMapping("/containers/{id}/rename")
	ResponseEntity<Void> rename(@PathVariable String id, @RequestParam String name) {
		this.containers.rename(RenameRequest.newBuilder().setContainer(id).setNewName(name).build());
		return done(false);
	}

	@PostMapping("/containers/{id}/update")
	ContainerUpdateResponse update(@PathVariable String id, HttpServletRequest request) throws IOException {
		UpdateRequest update = UpdateRequest.newBuilder()
			.setContainer(id)
			.setBodyJson(ByteString.copyFrom(this.json.readObject(request)))
			.build();
		List<String> warnings = this.containers.update(update).getWarningsList();
		// dockerd sends null, not [], when it has no warning
		return new ContainerUpdateResponse(warnings.isEmpty() ? null : warnings);
	}

	@GetMapping("/containers/{id}/top")
	ContainerTopResponse top(@PathVariable String id, @RequestParam(name = "ps_args", defaultValue = "") String psArgs) {
		TopResponse top = this.containers.top(TopRequest.newBuilder().setContainer(id).setPsArgs(psArgs).build());
		List<List<String>> processes = top.getProcessesList()
			.stream()
			.map((process) -> List.copyOf(process.getFieldsList()))
			.toList();
		return new ContainerTopResponse(top.getTitlesList(), processes);
	}

	@PostMapping("/containers/prune")
	ContainerPruneResponse prune(@RequestParam(required = false) String filters) {
		PruneResponse pruned = this.containers
			.prune(PruneRequest.newBuilder().putAllFilters(LifecycleFilters.parse(this.json, filters)).build());
		// dockerd sends null, not [], when nothing was removed
		List<String> deleted = pruned.getDeletedList().isEmpty() ? null : pruned.getDeletedList();
		return new ContainerPruneResponse(deleted, pruned.getSpaceReclaimed());
	}

	// 204, or 304 when the container already was where the request would take it (start, stop)
	private static ResponseEntity<Void> done(boolean notModified) {
		return ResponseEntity.status(notModified ? HttpStatus.NOT_MODIFIED : HttpStatus.NO_CONTENT).build();
	}

}
