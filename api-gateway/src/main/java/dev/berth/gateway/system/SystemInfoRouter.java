package dev.berth.gateway.system;

import java.lang.management.ManagementFactory;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.berth.contracts.engine.v1.DiskUsageRequest;
import dev.berth.contracts.engine.v1.DiskUsageResponse;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ListRequest;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;

import dev.berth.gateway.api.ApiVersion;
import dev.berth.gateway.api.InvalidParameterException;
import dev.berth.gateway.image.ImageViews;
import dev.berth.gateway.lifecycle.ImageUsers;

/**
 * {@code GET /info} and {@code GET /system/df}: the engine as a whole. Container counts come from lifecycle-service's
 * list, images from engine-service, the host's facts from the kernel's files, and the daemon's settings from the
 * properties berthd passes ({@link DaemonSettings}).
 */
@RestController
class SystemInfoRouter {

	// the runtime in runc's role: berth-runc takes runc's command line, so clients that name "runc" get it
	private static final String DEFAULT_RUNTIME = "runc";

	private static final String BERTH_RUNTIME = "berth-runc";

	// what dockerd always counts as insecure
	private static final List<String> LOOPBACK_CIDRS = List.of("::1/128", "127.0.0.0/8");

	// the object types of GET /system/df?type= (API 1.42)
	private static final Set<String> DISK_USAGE_TYPES = Set.of("container", "image", "volume", "build-cache");

	private static final String DISK_USAGE_TYPES_SINCE = "1.42";

	private final ContainerServiceGrpc.ContainerServiceBlockingStub containers;

	private final ImageServiceGrpc.ImageServiceBlockingStub images;

	private final ImageViews imageViews;

	private final DaemonSettings settings;

	private final JsonMapper json;

	private final HostFacts host;

	SystemInfoRouter(ContainerServiceGrpc.ContainerServiceBlockingStub containers,
			ImageServiceGrpc.ImageServiceBlockingStub images, ImageViews imageViews, DaemonSettings settings,
			JsonMapper json) {
		this.containers = containers;
		this.images = images;
		this.imageViews = imageViews;
		this.settings = settings;
		this.json = json;
		this.host = HostFacts.read();
	}

	@GetMapping("/info")
	SystemInfo info() {
		int running = 0;
		int paused = 0;
		List<JsonNode> all = allContainers(false);
		for (JsonNode container : all) {
			switch (container.path("State").asString("")) {
				case "running" -> running++;
				case "paused" -> paused++;
				default -> {
				}
			}
		}
		int imageCount = this.images.list(dev.berth.contracts.engine.v1.ListRequest.newBuilder().setAll(true).build())
			.getImagesCount();
		HostFacts.CgroupFeatures cgroups = this.host.cgroups();
		boolean v1 = this.host.cgroupVersion().equals("1");
		List<String> securityOptions = new ArrayList<>(List.of("name=seccomp,profile=builtin"));
		if (!v1) {
			securityOptions.add("name=cgroupns");
		}
		List<String> warnings = new ArrayList<>();
		if (!cgroups.swapLimit()) {
			warnings.add("WARNING: No swap limit support");
		}
		if (!this.host.ipv4Forwarding()) {
			warnings.add("WARNING: IPv4 forwarding is disabled");
		}
		return new SystemInfo(this.host.id(), all.size(), running, paused, all.size() - running - paused, imageCount,
				"overlay2", List.of(), new SystemInfo.Plugins(List.of("local"), List.of("bridge", "host", "null"), null,
						List.of("json-file")),
				cgroups.memoryLimit(), cgroups.swapLimit(), v1 ? cgroups.kernelMemoryTcp() : null, cgroups.cpuCfs(),
				cgroups.cpuCfs(), cgroups.cpuShares(), cgroups.cpuSet(), cgroups.pidsLimit(),
				this.host.ipv4Forwarding(), this.host.bridgeNfIptables(), this.host.bridgeNfIp6tables(),
				LogFactory.getLog("dev.berth").isDebugEnabled(), HostFacts.openFiles(), cgroups.oomKillDisable(),
				ManagementFactory.getThreadMXBean().getThreadCount(),
				OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), "json-file", "cgroupfs",
				this.host.cgroupVersion(), 0, this.host.kernelVersion(), this.host.operatingSystem(),
				this.host.osVersion(), "linux", this.host.architecture(), "https://index.docker.io/v1/",
				registryConfig(), this.host.cpus(), this.host.memTotal(), this.settings.dataRoot(),
				proxy("HTTP_PROXY"), proxy("HTTPS_PROXY"), proxy("NO_PROXY"), HostFacts.hostname(), List.of(), false,
				SystemRouter.engineVersion(), Map.of(DEFAULT_RUNTIME, new SystemInfo.Runtime(BERTH_RUNTIME)),
				DEFAULT_RUNTIME, SystemInfo.Swarm.INACTIVE,
				// containers live on under the node shim when the services stop, as with dockerd's --live-restore
				true, "", "", new SystemInfo.Commit(""), new SystemInfo.Commit(""), new SystemInfo.Commit(""),
				securityOptions, warnings);
	}

	@GetMapping("/system/df")
	SystemDiskUsage diskUsage(@RequestParam(name = "type", required = false) List<String> types,
			@RequestAttribute(ApiVersion.ATTRIBUTE) String apiVersion) {
		boolean everything = types == null || types.isEmpty()
				|| ApiVersion.isOlder(apiVersion, DISK_USAGE_TYPES_SINCE);
		if (!everything) {
			for (String type : types) {
				if (!DISK_USAGE_TYPES.contains(type)) {
					throw new InvalidParameterException("unknown object type: " + type);
				}
			}
		}
		boolean withContainers = everything || types.contains("container");
		boolean withImages = everything || types.contains("image");
		// images need the containers too: how many use each
		List<JsonNode> all = (withContainers || withImages) ? allContainers(true) : List.of();
		Long layersSize = null;
		List<Object> imageSummaries = null;
		if (withImages) {
			DiskUsageResponse usage = this.images
				.diskUsage(DiskUsageRequest.newBuilder().addAllUsers(ImageUsers.of(all)).build());
			layersSize = usage.getLayersSize();
			imageSummaries = new ArrayList<>();
			for (var image : usage.getImagesList()) {
				imageSummaries.add(this.imageViews.diskUsage(image, apiVersion));
			}
		}
		boolean withVolumes = everything || types.contains("volume");
		boolean withBuildCache = everything || types.contains("build-cache");
		return new SystemDiskUsage(layersSize, imageSummaries, withContainers ? all : null,
				withVolumes ? List.of() : null, withBuildCache ? List.of() : null);
	}

	private List<JsonNode> allContainers(boolean size) {
		return this.containers.list(ListRequest.newBuilder().setAll(true).setSize(size).build())
			.getContainersJsonList()
			.stream()
			.map((summary) -> this.json.readTree(summary.toByteArray()))
			.toList();
	}

	// dockerd's view of the registry flags: CIDRs and host names apart, loopback always insecure, mirrors as URLs
	// ending in a slash, and Docker Hub's index with its mirrors
	private SystemInfo.RegistryConfig registryConfig() {
		List<String> mirrors = this.settings.registryMirrors()
			.stream()
			.map((mirror) -> mirror.endsWith("/") ? mirror : mirror + "/")
			.toList();
		List<String> cidrs = new ArrayList<>();
		Map<String, SystemInfo.IndexInfo> indexes = new LinkedHashMap<>();
		indexes.put("docker.io", new SystemInfo.IndexInfo("docker.io", mirrors, true, true));
		for (String insecure : this.settings.insecureRegistries()) {
			if (insecure.contains("/")) {
				cidrs.add(insecure);
			}
			else {
				indexes.put(insecure, new SystemInfo.IndexInfo(insecure, List.of(), false, false));
			}
		}
		for (String loopback : LOOPBACK_CIDRS) {
			if (!cidrs.contains(loopback)) {
				cidrs.add(loopback);
			}
		}
		return new SystemInfo.RegistryConfig(null, null, cidrs, indexes, mirrors);
	}

	// as dockerd shows it: the lower-case variable wins, and a password in the URL is masked
	private static String proxy(String name) {
		String value = System.getenv(name.toLowerCase(Locale.ROOT));
		if (value == null || value.isEmpty()) {
			value = System.getenv(name);
		}
		if (value == null) {
			return "";
		}
		return value.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]+):[^@/]*@", "$1:xxxxx@");
	}

}
