package dev.berth.engine.image;

import java.nio.file.Path;
import java.util.List;

import dev.berth.engine.registry.Platform;
import dev.berth.engine.registry.Registries;
import dev.berth.engine.registry.RegistryCredentials;
import dev.berth.engine.registry.RegistryHosts;
import dev.berth.engine.testing.Fixtures;
import dev.berth.engine.testing.TestRegistry;

/**
 * Where tests that need real images get them: a registry holding busybox (Docker schema 2, as
 * {@code library/busybox:latest}) and the two-layer image (OCI, as {@code layered:latest}), and one
 * client for it. A test class starts one and closes it.
 */
final class SourceRegistry implements AutoCloseable {

	private final TestRegistry registry;

	private final Registries registries;

	private SourceRegistry(TestRegistry registry, Registries registries) {
		this.registry = registry;
		this.registries = registries;
	}

	static SourceRegistry start() {
		TestRegistry registry = TestRegistry.start(TestRegistry.Auth.NONE);
		registry.push(Fixtures.BUSYBOX, "library/busybox:latest", TestRegistry.Format.DOCKER_SCHEMA2);
		registry.push(Fixtures.LAYERED, "layered:latest", TestRegistry.Format.OCI);
		return new SourceRegistry(registry, new Registries(new RegistryHosts(List.of(), List.of()), 3));
	}

	/** {@code 127.0.0.1:<port>}, for references and expected tags. */
	String host() {
		return this.registry.host();
	}

	/** An engine on its own data root that pulls from here. */
	TestEngine engine(Path root) {
		return TestEngine.open(root, this.registries);
	}

	/** Pulls {@code host()/repoAndTag} into an engine, for linux/amd64. */
	ImageRecord pull(TestEngine engine, String repoAndTag) {
		return engine.images().pull(ImageReference.parse(host() + "/" + repoAndTag), Platform.parse("linux/amd64"),
				RegistryCredentials.ANONYMOUS, (event) -> {
				});
	}

	@Override
	public void close() {
		this.registries.close();
		this.registry.close();
	}

}
