package dev.berth.agent;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the agent keeps things on its node.
 *
 * @param execRoot live state: the shim's socket and state, container bundles ({@code --exec-root})
 * @param runtimeClasspath the classpath of the shim and container inits (the runtime jar and JNA's);
 * empty: derived from where the agent runs
 */
@ConfigurationProperties("berth.agent")
public record AgentProperties(Path execRoot, String runtimeClasspath) {

	public AgentProperties {
		execRoot = (execRoot != null) ? execRoot : Path.of("/run/berth");
		runtimeClasspath = (runtimeClasspath != null) ? runtimeClasspath : "";
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
