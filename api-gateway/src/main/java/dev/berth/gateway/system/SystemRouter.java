package dev.berth.gateway.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import dev.berth.gateway.api.ApiVersion;

/** {@code /_ping} and {@code /version}: what every client asks first to learn which API it talks to. */
@RestController
class SystemRouter {

	private static final String ENGINE_NAME = "Berth";

	private final SystemVersion version;

	SystemRouter() {
		this.version = describe();
	}

	// The CLI sends HEAD and negotiates its API version down to API-Version; docker-py sends GET and wants "OK".
	@RequestMapping(path = "/_ping", method = { RequestMethod.GET, RequestMethod.HEAD })
	ResponseEntity<String> ping() {
		return ResponseEntity.ok()
			.header("API-Version", ApiVersion.CURRENT)
			.header("OSType", "linux")
			.header("Docker-Experimental", "false")
			.header("Builder-Version", "1")
			.header("Swarm", "inactive")
			.header(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, must-revalidate")
			.header(HttpHeaders.PRAGMA, "no-cache")
			.contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
			.body("OK");
	}

	@GetMapping("/version")
	SystemVersion version() {
		return this.version;
	}

	private static SystemVersion describe() {
		String engineVersion = engineVersion();
		String arch = goArch(System.getProperty("os.arch"));
		String kernel = kernelVersion();
		String runtime = "java " + Runtime.version();
		Map<String, String> details = new LinkedHashMap<>();
		details.put("ApiVersion", ApiVersion.CURRENT);
		details.put("Arch", arch);
		details.put("BuildTime", "");
		details.put("Experimental", "false");
		details.put("GitCommit", "");
		details.put("GoVersion", runtime);
		details.put("KernelVersion", kernel);
		details.put("MinAPIVersion", ApiVersion.MINIMUM);
		details.put("Os", "linux");
		return new SystemVersion(new SystemVersion.Platform(ENGINE_NAME + " " + engineVersion),
				List.of(new SystemVersion.Component("Engine", engineVersion, details)), engineVersion,
				ApiVersion.CURRENT, ApiVersion.MINIMUM, "", runtime, "linux", arch, kernel, "");
	}

	static String engineVersion() {
		String version = SystemRouter.class.getPackage().getImplementationVersion();
		return (version != null) ? version : "dev";
	}

	// clients compare Arch with Go's names (amd64, arm64), as dockerd reports them
	private static String goArch(String javaArch) {
		return switch (javaArch) {
			case "x86_64", "amd64" -> "amd64";
			case "aarch64" -> "arm64";
			case "x86", "i386", "i686" -> "386";
			default -> javaArch;
		};
	}

	static String kernelVersion() {
		try {
			return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
		}
		catch (IOException ex) {
			return System.getProperty("os.version");
		}
	}

}
