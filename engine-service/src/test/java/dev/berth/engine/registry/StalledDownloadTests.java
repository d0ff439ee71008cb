package dev.berth.engine.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.image.ImageReference;
import dev.berth.engine.testing.Fixtures;
import dev.berth.engine.testing.RecordingProxy;
import dev.berth.engine.testing.TestRegistry;

import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** A layer body that stops moving is abandoned and resumed, rather than waited on for ever. */
class StalledDownloadTests {

	@TempDir
	Path dataRoot;

	@Test
	void aStalledBodyIsResumedFromWhatArrived() throws Exception {
		try (TestRegistry registry = TestRegistry.start(TestRegistry.Auth.NONE);
				RecordingProxy proxy = RecordingProxy.start(registry.uri());
				Registries registries = new Registries(new RegistryHosts(List.of(), List.of()), 3, Duration.ofSeconds(1))) {
			registry.push(Fixtures.BUSYBOX, "stall:1", TestRegistry.Format.OCI);
			String layer = JsonMapper.builder().build().readTree(registry.manifest("stall:1"))
				.path("layers").get(0).path("digest").asString();
			proxy.stallNextGet("/blobs/" + layer + "$", 100_000, Duration.ofSeconds(4));
			PulledImage pulled = registries.pull(new ContentStore(this.dataRoot), ImageReference.parse(proxy.host() + "/stall:1"),
					Platform.parse("linux/amd64"), RegistryCredentials.ANONYMOUS, ProgressListener.NONE);
			assertThat(pulled.manifest().layers().get(0).digest()).hasToString(layer);
			List<RecordingProxy.Exchange> gets = proxy.exchanges().stream()
				.filter((e) -> e.path().endsWith(layer))
				// the stalled exchange is recorded when it ends, after the resumed one: order by start
				.sorted(java.util.Comparator.comparing(RecordingProxy.Exchange::started))
				.toList();
			assertThat(gets).hasSize(2);
			assertThat(gets.get(0).cut()).isTrue();
			assertThat(gets.get(1).status()).isEqualTo(206);
			assertThat(gets.get(1).requestHeaders().firstValue("Range").orElseThrow()).startsWith("bytes=");
		}
	}

}
