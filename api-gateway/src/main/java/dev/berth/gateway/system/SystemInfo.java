package dev.berth.gateway.system;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /info}: swagger's SystemInfo, its fields in dockerd's order. Checked field by field against dockerd 20.10
 * on the same host; fields that left the API before 1.50 (KernelMemory, ClusterStore) are not sent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SystemInfo(@JsonProperty("ID") String id, @JsonProperty("Containers") int containers,
		@JsonProperty("ContainersRunning") int containersRunning,
		@JsonProperty("ContainersPaused") int containersPaused,
		@JsonProperty("ContainersStopped") int containersStopped, @JsonProperty("Images") int images,
		@JsonProperty("Driver") String driver, @JsonProperty("DriverStatus") List<List<String>> driverStatus,
		@JsonProperty("Plugins") Plugins plugins, @JsonProperty("MemoryLimit") boolean memoryLimit,
		@JsonProperty("SwapLimit") boolean swapLimit, @JsonProperty("KernelMemoryTCP") Boolean kernelMemoryTcp,
		@JsonProperty("CpuCfsPeriod") boolean cpuCfsPeriod, @JsonProperty("CpuCfsQuota") boolean cpuCfsQuota,
		@JsonProperty("CPUShares") boolean cpuShares, @JsonProperty("CPUSet") boolean cpuSet,
		@JsonProperty("PidsLimit") boolean pidsLimit, @JsonProperty("IPv4Forwarding") boolean ipv4Forwarding,
		@JsonProperty("BridgeNfIptables") boolean bridgeNfIptables,
		@JsonProperty("BridgeNfIp6tables") boolean bridgeNfIp6tables, @JsonProperty("Debug") boolean debug,
		@JsonProperty("NFd") int nfd, @JsonProperty("OomKillDisable") boolean oomKillDisable,
		@JsonProperty("NGoroutines") int nGoroutines, @JsonProperty("SystemTime") String systemTime,
		@JsonProperty("LoggingDriver") String loggingDriver, @JsonProperty("CgroupDriver") String cgroupDriver,
		@JsonProperty("CgroupVersion") String cgroupVersion, @JsonProperty("NEventsListener") int nEventsListener,
		@JsonProperty("KernelVersion") String kernelVersion, @JsonProperty("OperatingSystem") String operatingSystem,
		@JsonProperty("OSVersion") String osVersion, @JsonProperty("OSType") String osType,
		@JsonProperty("Architecture") String architecture,
		@JsonProperty("IndexServerAddress") String indexServerAddress,
		@JsonProperty("RegistryConfig") RegistryConfig registryConfig, @JsonProperty("NCPU") int ncpu,
		@JsonProperty("MemTotal") long memTotal, @JsonProperty("DockerRootDir") String dockerRootDir,
		@JsonProperty("HttpProxy") String httpProxy, @JsonProperty("HttpsProxy") String httpsProxy,
		@JsonProperty("NoProxy") String noProxy, @JsonProperty("Name") String name,
		@JsonProperty("Labels") List<String> labels, @JsonProperty("ExperimentalBuild") boolean experimentalBuild,
		@JsonProperty("ServerVersion") String serverVersion, @JsonProperty("Runtimes") Map<String, Runtime> runtimes,
		@JsonProperty("DefaultRuntime") String defaultRuntime, @JsonProperty("Swarm") Swarm swarm,
		@JsonProperty("LiveRestoreEnabled") boolean liveRestoreEnabled, @JsonProperty("Isolation") String isolation,
		@JsonProperty("InitBinary") String initBinary, @JsonProperty("ContainerdCommit") Commit containerdCommit,
		@JsonProperty("RuncCommit") Commit runcCommit, @JsonProperty("InitCommit") Commit initCommit,
		@JsonProperty("SecurityOptions") List<String> securityOptions,
		@JsonProperty("Warnings") List<String> warnings) {

	record Plugins(@JsonProperty("Volume") List<String> volume, @JsonProperty("Network") List<String> network,
			@JsonProperty("Authorization") List<String> authorization, @JsonProperty("Log") List<String> log) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record RegistryConfig(
			@JsonProperty("AllowNondistributableArtifactsCIDRs") List<String> allowNondistributableArtifactsCidrs,
			@JsonProperty("AllowNondistributableArtifactsHostnames") List<String> allowNondistributableArtifactsHostnames,
			@JsonProperty("InsecureRegistryCIDRs") List<String> insecureRegistryCidrs,
			@JsonProperty("IndexConfigs") Map<String, IndexInfo> indexConfigs,
			@JsonProperty("Mirrors") List<String> mirrors) {
	}

	record IndexInfo(@JsonProperty("Name") String name, @JsonProperty("Mirrors") List<String> mirrors,
			@JsonProperty("Secure") boolean secure, @JsonProperty("Official") boolean official) {
	}

	record Runtime(@JsonProperty("path") String path) {
	}

	// an inactive node's swarm section; the swarm routes answer 503 as an inactive dockerd does
	@JsonInclude(JsonInclude.Include.ALWAYS)
	record Swarm(@JsonProperty("NodeID") String nodeId, @JsonProperty("NodeAddr") String nodeAddr,
			@JsonProperty("LocalNodeState") String localNodeState,
			@JsonProperty("ControlAvailable") boolean controlAvailable, @JsonProperty("Error") String error,
			@JsonProperty("RemoteManagers") List<Object> remoteManagers) {

		static final Swarm INACTIVE = new Swarm("", "", "inactive", false, "", null);

	}

	record Commit(@JsonProperty("ID") String id) {
	}

}
