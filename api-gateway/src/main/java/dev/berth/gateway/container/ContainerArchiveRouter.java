package dev.berth.gateway.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import dev.berth.contracts.lifecycle.v1.ChangesRequest;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ExportRequest;
import dev.berth.contracts.lifecycle.v1.GetArchiveRequest;
import dev.berth.contracts.lifecycle.v1.GetArchiveResponse;
import dev.berth.contracts.lifecycle.v1.PathStat;
import dev.berth.contracts.lifecycle.v1.PutArchiveOptions;
import dev.berth.contracts.lifecycle.v1.PutArchiveRequest;
import dev.berth.contracts.lifecycle.v1.StatPathRequest;
import dev.berth.gateway.api.InvalidParameterException;
import dev.berth.gateway.api.RequestUploads;
import dev.berth.gateway.api.ResponseStreams;

/**
 * {@code docker cp} (HEAD, GET and PUT {@code /containers/{id}/archive}), {@code docker export} and
 * {@code docker diff}: the container's files as its node reads and writes them.
 */
@RestController
class ContainerArchiveRouter {

	/** Where docker cp reads what the path is: base64 of {name, size, mode, mtime, linkTarget}. */
	static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

	private static final String TAR = "application/x-tar";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ContainerServiceGrpc.ContainerServiceBlockingStub containers;

	private final ContainerServiceGrpc.ContainerServiceStub asyncContainers;

	private final ResponseStreams streams;

	ContainerArchiveRouter(ContainerServiceGrpc.ContainerServiceBlockingStub containers,
			ContainerServiceGrpc.ContainerServiceStub asyncContainers, ResponseStreams streams) {
		this.containers = containers;
		this.asyncContainers = asyncContainers;
		this.streams = streams;
	}

	@RequestMapping(path = "/containers/{id}/archive", method = RequestMethod.HEAD)
	void stat(@PathVariable String id, @RequestParam(defaultValue = "") String path, HttpServletResponse response) {
		PathStat stat = this.containers
			.statPath(StatPathRequest.newBuilder().setContainer(id).setPath(requirePath(path)).build())
			.getStat();
		response.setHeader(STAT_HEADER, header(stat));
		response.setContentType(TAR);
	}

	@GetMapping("/containers/{id}/archive")
	void read(@PathVariable String id, @RequestParam(defaultValue = "") String path, HttpServletResponse response)
			throws IOException {
		GetArchiveRequest request = GetArchiveRequest.newBuilder().setContainer(id).setPath(requirePath(path)).build();
		this.streams.bytes(response, TAR, () -> {
			Iterator<GetArchiveResponse> parts = this.containers.getArchive(request);
			// the stat comes first, before the 200 is committed: a missing path is a real 404
			if (parts.hasNext()) {
				response.setHeader(STAT_HEADER, header(parts.next().getStat()));
			}
			return parts;
		}, (part) -> part.getData().toByteArray());
	}

	@PutMapping("/containers/{id}/archive")
	void write(@PathVariable String id, @RequestParam(defaultValue = "") String path,
			@RequestParam(defaultValue = "false") boolean noOverwriteDirNonDir,
			@RequestParam(name = "copyUIDGID", defaultValue = "false") boolean copyUidGid, HttpServletRequest request)
			throws IOException {
		PutArchiveOptions options = PutArchiveOptions.newBuilder()
			.setContainer(id)
			.setPath(requirePath(path))
			.setNoOverwriteDirNonDir(noOverwriteDirNonDir)
			.setCopyUidGid(copyUidGid)
			.build();
		Iterator<?> answer = RequestUploads.upload(request.getInputStream(), this.asyncContainers::putArchive,
				List.of(PutArchiveRequest.newBuilder().setOptions(options).build()),
				(bytes) -> PutArchiveRequest.newBuilder().setData(bytes).build());
		while (answer.hasNext()) {
			answer.next();
		}
	}

	@GetMapping("/containers/{id}/export")
	void export(@PathVariable String id, HttpServletResponse response) throws IOException {
		this.streams.bytes(response, TAR,
				() -> this.containers.export(ExportRequest.newBuilder().setContainer(id).build()),
				(part) -> part.getData().toByteArray());
	}

	@GetMapping("/containers/{id}/changes")
	List<Map<String, Object>> changes(@PathVariable String id) {
		return this.containers.changes(ChangesRequest.newBuilder().setContainer(id).build())
			.getChangesList()
			.stream()
			.map((change) -> {
				Map<String, Object> item = new LinkedHashMap<>();
				item.put("Path", change.getPath());
				item.put("Kind", change.getKind());
				return item;
			})
			.toList();
	}

	private static String requirePath(String path) {
		if (path.isEmpty()) {
			throw new InvalidParameterException("path cannot be empty");
		}
		return path;
	}

	/** The stat as dockerd writes it: Go's os.FileMode bits and an RFC 3339 time. */
	static String header(PathStat stat) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("name", stat.getName());
		json.put("size", stat.getSize());
		json.put("mode", goFileMode(stat.getMode()));
		json.put("mtime", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(0, stat.getMtimeUnixNano())));
		json.put("linkTarget", stat.getLinkTarget());
		return Base64.getEncoder().encodeToString(JSON.writeValueAsString(json).getBytes(StandardCharsets.UTF_8));
	}

	/** st_mode's type and special bits moved where Go's os.FileMode keeps them; the permissions stay. */
	static long goFileMode(int mode) {
		long go = mode & 0777;
		switch (mode & 0170000) {
			case 0040000 -> go |= 1L << 31; // directory
			case 0120000 -> go |= 1L << 27; // symbolic link
			case 0060000 -> go |= 1L << 26; // block device
			case 0020000 -> go |= (1L << 26) | (1L << 21); // character device
			case 0010000 -> go |= 1L << 25; // named pipe
			case 0140000 -> go |= 1L << 24; // socket
			default -> {
				// a regular file has no type bit
			}
		}
		if ((mode & 04000) != 0) {
			go |= 1L << 23;
		}
		if ((mode & 02000) != 0) {
			go |= 1L << 22;
		}
		if ((mode & 01000) != 0) {
			go |= 1L << 20;
		}
		return go;
	}

}
