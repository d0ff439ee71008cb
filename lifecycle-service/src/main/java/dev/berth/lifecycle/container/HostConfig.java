package dev.berth.lifecycle.container;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.node.ObjectNode;

/**
 * The common part of swagger's {@code HostConfig}: mounts, networking, restart policy, resource
 * limits and privileges. Fields not listed here (BlkioDeviceReadBps, DeviceRequests, …) stay in
 * the stored raw JSON until something reads them. Boxed types are Docker's pointers, where absent
 * differs from zero.
 */
public record HostConfig(
		@JsonProperty("Binds") List<String> binds,
		@JsonProperty("LogConfig") LogConfig logConfig,
		@JsonProperty("NetworkMode") String networkMode,
		@JsonProperty("PortBindings") Map<String, List<PortBinding>> portBindings,
		@JsonProperty("RestartPolicy") RestartPolicy restartPolicy,
		@JsonProperty("AutoRemove") boolean autoRemove,
		@JsonProperty("VolumeDriver") String volumeDriver,
		@JsonProperty("VolumesFrom") List<String> volumesFrom,
		@JsonProperty("CapAdd") List<String> capAdd,
		@JsonProperty("CapDrop") List<String> capDrop,
		@JsonProperty("Dns") List<String> dns,
		@JsonProperty("DnsOptions") List<String> dnsOptions,
		@JsonProperty("DnsSearch") List<String> dnsSearch,
		@JsonProperty("ExtraHosts") List<String> extraHosts,
		@JsonProperty("GroupAdd") List<String> groupAdd,
		@JsonProperty("IpcMode") String ipcMode,
		@JsonProperty("Links") List<String> links,
		@JsonProperty("OomScoreAdj") int oomScoreAdj,
		@JsonProperty("PidMode") String pidMode,
		@JsonProperty("Privileged") boolean privileged,
		@JsonProperty("PublishAllPorts") boolean publishAllPorts,
		@JsonProperty("ReadonlyRootfs") boolean readonlyRootfs,
		@JsonProperty("SecurityOpt") List<String> securityOpt,
		@JsonProperty("Tmpfs") Map<String, String> tmpfs,
		@JsonProperty("UTSMode") String utsMode,
		@JsonProperty("UsernsMode") String usernsMode,
		@JsonProperty("ShmSize") long shmSize,
		@JsonProperty("Sysctls") Map<String, String> sysctls,
		@JsonProperty("Init") Boolean init,
		@JsonProperty("Memory") long memory,
		@JsonProperty("MemoryReservation") long memoryReservation,
		@JsonProperty("MemorySwap") long memorySwap,
		@JsonProperty("NanoCpus") long nanoCpus,
		@JsonProperty("CpuShares") long cpuShares,
		@JsonProperty("CpuPeriod") long cpuPeriod,
		@JsonProperty("CpuQuota") long cpuQuota,
		@JsonProperty("CpusetCpus") String cpusetCpus,
		@JsonProperty("PidsLimit") Long pidsLimit,
		@JsonProperty("OomKillDisable") Boolean oomKillDisable,
		@JsonProperty("Ulimits") List<Ulimit> ulimits,
		// what the OCI spec needs beyond the common part
		@JsonProperty("Mounts") List<Mount> mounts,
		@JsonProperty("Devices") List<DeviceMapping> devices,
		@JsonProperty("DeviceCgroupRules") List<String> deviceCgroupRules,
		@JsonProperty("CpusetMems") String cpusetMems,
		@JsonProperty("BlkioWeight") int blkioWeight,
		@JsonProperty("MemorySwappiness") Long memorySwappiness,
		@JsonProperty("CgroupParent") String cgroupParent,
		@JsonProperty("CgroupnsMode") String cgroupnsMode,
		// null keeps the engine's defaults, an empty list masks or protects nothing
		@JsonProperty("MaskedPaths") List<String> maskedPaths,
		@JsonProperty("ReadonlyPaths") List<String> readonlyPaths) {

	/**
	 * The typed view of a HostConfig as a client sent it (or of the part of one a {@code docker update}
	 * sends).
	 * @throws dev.berth.lifecycle.InvalidArgumentException for a mistyped field
	 */
	public static HostConfig read(ObjectNode json) {
		return DockerJson.view(json, HostConfig.class);
	}

	/** The swap limit in force: the one given, else Docker's default of twice the memory limit (none without one). */
	public long memorySwapInForce() {
		return (this.memorySwap == 0 && this.memory > 0) ? 2 * this.memory : this.memorySwap;
	}

	/** Swagger's {@code RestartPolicy}: "", "no", "always", "unless-stopped" or "on-failure". */
	public record RestartPolicy(
			@JsonProperty("Name") String name,
			@JsonProperty("MaximumRetryCount") int maximumRetryCount) {

		/** Whether the policy restarts nothing: unnamed or "no". */
		public boolean isNone() {
			return this.name == null || this.name.isEmpty() || this.name.equals("no");
		}

	}

	/** Swagger's {@code PortBinding}; an empty HostPort lets the engine choose one. */
	public record PortBinding(
			@JsonProperty("HostIp") String hostIp,
			@JsonProperty("HostPort") String hostPort) {
	}

	public record LogConfig(
			@JsonProperty("Type") String type,
			@JsonProperty("Config") Map<String, String> config) {
	}

	/**
	 * Swagger's {@code Mount}: {@code --mount}. Only bind and tmpfs carry options this engine
	 * reads; the volume and image options are kept raw, their presence is what validation needs.
	 */
	public record Mount(
			@JsonProperty("Type") String type,
			@JsonProperty("Source") String source,
			@JsonProperty("Target") String target,
			@JsonProperty("ReadOnly") boolean readOnly,
			@JsonProperty("Consistency") String consistency,
			@JsonProperty("BindOptions") BindOptions bindOptions,
			@JsonProperty("VolumeOptions") Map<String, Object> volumeOptions,
			@JsonProperty("ImageOptions") Map<String, Object> imageOptions,
			@JsonProperty("TmpfsOptions") TmpfsOptions tmpfsOptions) {
	}

	public record BindOptions(
			@JsonProperty("Propagation") String propagation,
			@JsonProperty("NonRecursive") boolean nonRecursive,
			@JsonProperty("CreateMountpoint") boolean createMountpoint,
			@JsonProperty("ReadOnlyNonRecursive") boolean readOnlyNonRecursive,
			@JsonProperty("ReadOnlyForceRecursive") boolean readOnlyForceRecursive) {
	}

	/** {@code Options} are pairs (or single flags) such as {@code ["exec"]}; Mode is the octal permission bits. */
	public record TmpfsOptions(
			@JsonProperty("SizeBytes") long sizeBytes,
			@JsonProperty("Mode") int mode,
			@JsonProperty("Options") List<List<String>> options) {
	}

	/** Swagger's {@code DeviceMapping}: {@code --device /dev/x:/dev/y:rwm}. */
	public record DeviceMapping(
			@JsonProperty("PathOnHost") String pathOnHost,
			@JsonProperty("PathInContainer") String pathInContainer,
			@JsonProperty("CgroupPermissions") String cgroupPermissions) {
	}

	public record Ulimit(
			@JsonProperty("Name") String name,
			@JsonProperty("Soft") long soft,
			@JsonProperty("Hard") long hard) {
	}

}
