package dev.berth.gateway.container;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.google.protobuf.ByteString;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.berth.contracts.lifecycle.v1.CommitRequest;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.gateway.api.InvalidParameterException;
import dev.berth.gateway.api.JsonBodies;

/**
 * {@code POST /commit} (docker commit): parses the request, calls lifecycle-service's ContainerService, answers
 * {@code 201 {"Id"}}. The body is an optional Config whose set fields override the container's; the changes are
 * Dockerfile instructions. lifecycle-service and engine-service own their meaning.
 */
@RestController
class CommitRouter {

	/** dockerd's false values of a boolean query parameter; anything else is true. */
	private static final Set<String> FALSE = Set.of("", "0", "no", "false", "none");

	private final ContainerServiceGrpc.ContainerServiceBlockingStub containers;

	private final JsonBodies json;

	CommitRouter(ContainerServiceGrpc.ContainerServiceBlockingStub containers, JsonBodies json) {
		this.containers = containers;
		this.json = json;
	}

	// changes may hold commas (CMD ["a","b"]), so they are read as the repeated parameter they are, never split
	@PostMapping("/commit")
	ResponseEntity<CommitResponse> commit(@RequestParam(defaultValue = "") String container,
			@RequestParam(defaultValue = "") String repo, @RequestParam(defaultValue = "") String tag,
			@RequestParam(defaultValue = "") String comment, @RequestParam(defaultValue = "") String author,
			@RequestParam(required = false) String pause, HttpServletRequest request) throws IOException {
		String[] changes = request.getParameterValues("changes");
		CommitRequest commit = CommitRequest.newBuilder()
			.setContainer(container)
			.setRepository(repo)
			.setTag(tag)
			.setComment(comment)
			.setAuthor(author)
			// a running container is paused unless the client says no
			.setPause(pause == null || !FALSE.contains(pause.strip().toLowerCase(Locale.ROOT)))
			.addAllChanges((changes != null) ? List.of(changes) : List.of())
			.setConfigJson(config(request))
			.build();
		return ResponseEntity.status(HttpStatus.CREATED)
			.body(new CommitResponse(this.containers.commit(commit).getId()));
	}

	/** The body's Config, as its bytes; none for an empty body or {@code null}, as dockerd reads them. */
	private ByteString config(HttpServletRequest request) throws IOException {
		JsonNode body = this.json.read(request, JsonNode.class);
		if (body == null || body.isNull() || body.isMissingNode()) {
			return ByteString.EMPTY;
		}
		if (!body.isObject()) {
			throw new InvalidParameterException("invalid JSON: the body must be a JSON object");
		}
		return ByteString.copyFromUtf8(body.toString());
	}

}
