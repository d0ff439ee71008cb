package dev.berth.agent;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the agent keeps things on its node.
 *
 * @param execRoot live state: the shim's socket and state, container bundles ({@code --exec-root})
 * @param runtimeClasspath the classpath of the shim and container inits (the runtime jar and JNA's);
 * empty: derived from where the agent runs
 * @param dataRoot lasting state: unpacked layers and containers' writable layers ({@code --data-root})
 * @param contentService engine-service's gRPC address, where layer blobs come from
 * @param contentRoot engine-service's content store when it is on this machine, read directly;
 * default {@code <data-root>/content}, as the single-node engine lays it out
 */
@ConfigurationProperties("berth.agent")
public record AgentProperties(Path execRoot, String runtimeClasspath, Path dataRoot, String contentService,
		Path contentRoot) {

	public AgentProperties {
		execRoot = (execRoot != null) ? execRoot : Path.of("/run/berth");
		runtimeClasspath = (runtimeClasspath != null) ? runtimeClasspath : "";
		dataRoot = (dataRoot != null) ? dataRoot : Path.of("/var/lib/berth");
		contentService = (contentService != null) ? contentService : "127.0.0.1:7442";
		contentRoot = (contentRoot != null) ? contentRoot : dataRoot.resolve("content");
	}

	/** Each container's own files on this node: {@code containers/<id>/} (its log, /etc/hosts…). */
	public Path containers() {
		return this.dataRoot.resolve("containers");
	}

	public Path snapshots() {
		return this.dataRoot.resolve("snapshots");
	}

	/** Where removed writable layers and container directories wait to be deleted ({@code Trash}). */
	public Path trash() {
		return this.dataRoot.resolve("trash");
	}

	public Path shimSocket() {
		return this.execRoot.resolve("shim.sock");
	}

	public Path shimState() {
		return this.execRoot.resolve("shim");
	}

	public Path runtimeRoot() {
		return this.execRoot.resolve("runtime");
	}

	public Path bundles() {
		return this.execRoot.resolve("bundles");
	}

}
