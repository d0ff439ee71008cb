package dev.berth.gateway.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import dev.berth.contracts.engine.v1.FilterValues;
import dev.berth.contracts.engine.v1.HistoryRequest;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.ImportOptions;
import dev.berth.contracts.engine.v1.ImportRequest;
import dev.berth.contracts.engine.v1.InspectRequest;
import dev.berth.contracts.engine.v1.ListRequest;
import dev.berth.contracts.engine.v1.LoadOptions;
import dev.berth.contracts.engine.v1.LoadRequest;
import dev.berth.contracts.engine.v1.LoginRequest;
import dev.berth.contracts.engine.v1.Progress;
import dev.berth.contracts.engine.v1.PullRequest;
import dev.berth.contracts.engine.v1.PushRequest;
import dev.berth.contracts.engine.v1.PruneRequest;
import dev.berth.contracts.engine.v1.PruneResponse;
import dev.berth.contracts.engine.v1.RemoveRequest;
import dev.berth.contracts.engine.v1.RemoveResponse;
import dev.berth.contracts.engine.v1.SaveRequest;
import dev.berth.contracts.engine.v1.TagRequest;
import dev.berth.gateway.api.ApiVersion;
import dev.berth.gateway.api.Filters;
import dev.berth.gateway.api.InvalidParameterException;
import dev.berth.gateway.api.JsonBodies;
import dev.berth.gateway.api.JsonMessage;
import dev.berth.gateway.api.RequestUploads;
import dev.berth.gateway.api.ResponseStreams;
import dev.berth.gateway.lifecycle.ImageUsers;
import dev.berth.gateway.lifecycle.UnusedLayers;

/**
 * Docker's image routes: each parses the request, calls engine-service's ImageService, and writes Docker's answer.
 * Image names may hold slashes and colons ({@code /images/localhost:5000/app:1/json}), which no path variable
 * in the middle of a pattern can capture: the routes under {@code /images/} take the rest of the path and split
 * off the operation at its last slash, as moby's {@code {name:.*}} routes do.
 */
@RestController
class ImageRouter {

	private static final String REGISTRY_AUTH = "X-Registry-Auth";

	private static final String TAR = "application/x-tar";

	private final ImageServiceGrpc.ImageServiceBlockingStub images;

	private final ImageServiceGrpc.ImageServiceStub asyncImages;

	private final ImageViews views;

	private final ResponseStreams streams;

	private final JsonBodies json;

	private final ImageUsers users;

	private final UnusedLayers unusedLayers;

	ImageRouter(ImageServiceGrpc.ImageServiceBlockingStub images, ImageServiceGrpc.ImageServiceStub asyncImages,
			ImageViews views, ResponseStreams streams, JsonBodies json, ImageUsers users, UnusedLayers unusedLayers) {
		this.images = images;
		this.asyncImages = asyncImages;
		this.views = views;
		this.streams = streams;
		this.json = json;
		this.users = users;
		this.unusedLayers = unusedLayers;
	}

	@PostMapping(path = "/images/create", params = "!fromSrc")
	void pull(@RequestParam(defaultValue = "") String fromImage, @RequestParam(defaultValue = "") String tag,
			@RequestParam(defaultValue = "") String platform,
			@RequestHeader(name = REGISTRY_AUTH, defaultValue = "") String registryAuth, HttpServletResponse response)
			throws IOException {
		if (fromImage.isEmpty()) {
			throw new InvalidParameterException("fromImage or fromSrc is required");
		}
		PullRequest request = PullRequest.newBuilder()
			.setReference(reference(fromImage, tag))
			.setPlatform(platform)
			.setRegistryAuth(registryAuth)
			.build();
		this.streams.ndjson(response, () -> this.images.pull(request),
				(event) -> event.hasProgress() ? progress(event.getProgress()) : null);
	}

	// docker import: the root filesystem tar is the request body (fromSrc=-); changes may hold commas, so they are
	// read as the repeated parameter they are, never split
	@PostMapping(path = "/images/create", params = "fromSrc")
	void importImage(@RequestParam String fromSrc, @RequestParam(defaultValue = "") String repo,
			@RequestParam(defaultValue = "") String tag, @RequestParam(defaultValue = "") String message,
			@RequestParam(defaultValue = "") String platform, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		if (!fromSrc.equals("-")) {
			throw new InvalidParameterException("importing from a URL is not supported: send the archive as the body");
		}
		String[] changes = request.getParameterValues("changes");
		ImportOptions options = ImportOptions.newBuilder()
			.setRepository(repo)
			.setTag(tag)
			.addAllChanges((changes != null) ? List.of(changes) : List.of())
			.setMessage(message)
			.setPlatform(platform)
			.build();
		this.streams.ndjson(response,
				() -> uncheckedUpload(() -> RequestUploads.upload(request.getInputStream(), this.asyncImages::import_,
						List.of(ImportRequest.newBuilder().setOptions(options).build()),
						(bytes) -> ImportRequest.newBuilder().setData(bytes).build())),
				// dockerd's one line for an import: the new image's ID as a status
				(imported) -> JsonMessage.status(imported.getImage().getId()));
	}

	@GetMapping("/images/json")
	List<ImageSummary> list(@RequestParam(defaultValue = "false") boolean all,
			@RequestParam(required = false) String filters,
			@RequestAttribute(ApiVersion.ATTRIBUTE) String apiVersion) {
		ListRequest.Builder request = ListRequest.newBuilder().setAll(all);
		filterValues(filters).forEach(request::putFilters);
		return this.images.list(request.build())
			.getImagesList()
			.stream()
			.map((image) -> this.views.summary(image, apiVersion))
			.toList();
	}

	@GetMapping("/images/get")
	void saveAll(@RequestParam List<String> names, HttpServletResponse response) throws IOException {
		save(names, response);
	}

	@PostMapping("/images/load")
	void load(@RequestParam(defaultValue = "false") boolean quiet, @RequestParam(defaultValue = "") String platform,
			HttpServletRequest request, HttpServletResponse response) throws IOException {
		List<LoadRequest> options = platform.isEmpty() ? List.of()
				: List.of(LoadRequest.newBuilder().setOptions(LoadOptions.newBuilder().setPlatform(platform)).build());
		this.streams.ndjson(response,
				() -> uncheckedUpload(() -> RequestUploads.upload(request.getInputStream(), this.asyncImages::load,
						options, (bytes) -> LoadRequest.newBuilder().setData(bytes).build())),
				(event) -> switch (event.getEventCase()) {
					case PROGRESS -> quiet ? null : progress(event.getProgress());
					case STREAM -> JsonMessage.stream(event.getStream() + "\n");
					case IMAGE, EVENT_NOT_SET -> null;
				});
	}

	@GetMapping("/images/{*path}")
	ResponseEntity<?> get(@PathVariable String path, @RequestAttribute(ApiVersion.ATTRIBUTE) String apiVersion,
			HttpServletResponse response) throws IOException, NoResourceFoundException {
		ImagePath image = ImagePath.parse(path);
		return switch (image.operation()) {
			case "json" -> ResponseEntity.ok(this.views
				.inspect(this.images.inspect(InspectRequest.newBuilder().setName(image.name()).build()).getImage(),
						apiVersion));
			case "history" -> ResponseEntity.ok(this.images
				.history(HistoryRequest.newBuilder().setName(image.name()).build())
				.getItemsList()
				.stream()
				.map(this.views::history)
				.toList());
			case "get" -> {
				save(List.of(image.name()), response);
				yield null;
			}
			default -> throw ImagePath.noRoute(path);
		};
	}

	@PostMapping("/images/{*path}")
	ResponseEntity<?> post(@PathVariable String path, @RequestParam(defaultValue = "") String repo,
			@RequestParam(defaultValue = "") String tag,
			@RequestHeader(name = REGISTRY_AUTH, defaultValue = "") String registryAuth, HttpServletResponse response)
			throws IOException, NoResourceFoundException {
		ImagePath image = ImagePath.parse(path);
		return switch (image.operation()) {
			case "tag" -> {
				this.images.tag(TagRequest.newBuilder().setSource(image.name()).setTarget(reference(repo, tag)).build());
				yield ResponseEntity.status(HttpStatus.CREATED).build();
			}
			case "push" -> {
				PushRequest request = PushRequest.newBuilder()
					.setName(image.name())
					.setTag(tag)
					.setRegistryAuth(registryAuth)
					.build();
				this.streams.ndjson(response, () -> this.images.push(request),
						(event) -> event.hasProgress() ? progress(event.getProgress())
								: JsonMessage.aux(new PushResult(event.getPushed().getTag(),
										event.getPushed().getDigest(), event.getPushed().getSize())));
				yield null;
			}
			default -> throw ImagePath.noRoute(path);
		};
	}

	@DeleteMapping("/images/{*path}")
	List<ImageDeleteResponseItem> remove(@PathVariable String path, @RequestParam(defaultValue = "false") boolean force,
			@RequestParam(defaultValue = "false") boolean noprune) {
		// noprune keeps untagged parents; the engine has no parent chains of local builds yet, so nothing to keep
		RemoveRequest request = RemoveRequest.newBuilder()
			.setName(ImagePath.name(path))
			.setForce(force)
			.addAllUsers(this.users.current())
			.build();
		RemoveResponse removed = this.images.remove(request);
		this.unusedLayers.release(removed.getRemovedChainIdsList());
		return removed.getItemsList().stream().map(this.views::deleted).toList();
	}

	// docker image prune; -a sends dangling=false: every image no container uses
	@PostMapping("/images/prune")
	ImagePruneResponse prune(@RequestParam(required = false) String filters) {
		PruneRequest request = PruneRequest.newBuilder()
			.putAllFilters(filterValues(filters))
			.addAllUsers(this.users.current())
			.build();
		PruneResponse pruned = this.images.prune(request);
		this.unusedLayers.release(pruned.getRemovedChainIdsList());
		List<ImageDeleteResponseItem> deleted = pruned.getItemsList().stream().map(this.views::deleted).toList();
		// dockerd's list is null when nothing went
		return new ImagePruneResponse(deleted.isEmpty() ? null : deleted, pruned.getSpaceReclaimed());
	}

	@PostMapping("/auth")
	AuthResponse login(HttpServletRequest request) throws IOException {
		AuthConfig auth = this.json.read(request, AuthConfig.class);
		if (auth == null) {
			throw new InvalidParameterException("a JSON body with the credentials is required");
		}
		LoginRequest.Builder login = LoginRequest.newBuilder();
		if (auth.username() != null) {
			login.setUsername(auth.username());
		}
		if (auth.password() != null) {
			login.setPassword(auth.password());
		}
		if (auth.serverAddress() != null) {
			login.setServerAddress(auth.serverAddress());
		}
		if (auth.identityToken() != null) {
			login.setIdentityToken(auth.identityToken());
		}
		return new AuthResponse(this.images.login(login.build()).getStatus(), "");
	}

	private void save(List<String> names, HttpServletResponse response) throws IOException {
		SaveRequest request = SaveRequest.newBuilder().addAllNames(names).build();
		this.streams.bytes(response, TAR, () -> this.images.save(request), (chunk) -> chunk.getData().toByteArray());
	}

	private Map<String, FilterValues> filterValues(String filters) {
		Map<String, FilterValues> values = new LinkedHashMap<>();
		Filters.parse(this.json, filters)
			.forEach((name, list) -> values.put(name, FilterValues.newBuilder().addAllValues(list).build()));
		return values;
	}

	private static JsonMessage progress(Progress progress) {
		return JsonMessage.progress(progress.getId(), progress.getStatus(), progress.getCurrent(), progress.getTotal());
	}

	// docker pull and docker tag send the repository and the tag apart; a tag that is a digest follows an @
	private static String reference(String repository, String tag) {
		if (tag.isEmpty()) {
			return repository;
		}
		return repository + (tag.contains(":") ? "@" : ":") + tag;
	}

	private static <T> T uncheckedUpload(IoSupplier<T> upload) {
		try {
			return upload.get();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@FunctionalInterface
	private interface IoSupplier<T> {

		T get() throws IOException;

	}

}
