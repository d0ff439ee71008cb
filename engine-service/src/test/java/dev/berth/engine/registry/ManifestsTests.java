package dev.berth.engine.registry;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestsTests {

	private static final String A = "sha256:" + "a".repeat(64);

	private static final String B = "sha256:" + "b".repeat(64);

	private static final String C = "sha256:" + "c".repeat(64);

	@Test
	void ociManifestWithoutMediaTypeIsReadByItsContentType() {
		String json = """
				{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":12},
				 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"%s","size":34}]}"""
			.formatted(A, B);
		Manifests.Document document = parse(json, "application/vnd.oci.image.manifest.v1+json; charset=utf-8");
		assertThat(document).isInstanceOfSatisfying(Manifests.ImageManifest.class, (manifest) -> {
			assertThat(manifest.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
			assertThat(manifest.config().digest()).hasToString(A);
			assertThat(manifest.layers()).singleElement().satisfies((layer) -> {
				assertThat(layer.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_ZSTD);
				assertThat(layer.size()).isEqualTo(34);
			});
		});
	}

	@Test
	void indexSelectsThePlatformAndPrefersAnExactVariant() {
		String json = """
				{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
				 {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":1,"platform":{"os":"linux","architecture":"arm","variant":"v6"}},
				 {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":2,"platform":{"os":"linux","architecture":"arm","variant":"v7"}},
				 {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":3,"platform":{"os":"linux","architecture":"aarch64","variant":"v8"}}]}"""
			.formatted(A, B, C);
		Manifests.Index index = (Manifests.Index) parse(json, "application/json");
		assertThat(index.select(Platform.parse("linux/arm64")).orElseThrow().digest()).hasToString(C);
		assertThat(index.select(Platform.parse("linux/arm/v7")).orElseThrow().digest()).hasToString(B);
		assertThat(index.select(Platform.parse("linux/arm")).orElseThrow().digest()).hasToString(A);
		assertThat(index.select(Platform.parse("linux/amd64"))).isEmpty();
		assertThat(index.select(Platform.parse("windows/arm64"))).isEmpty();
	}

	@Test
	void ambiguousDocumentsAreRefused() {
		String both = """
				{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],
				 "config":{"mediaType":"x","digest":"%s","size":1},"layers":[]}""".formatted(A);
		assertThatThrownBy(() -> parse(both, null)).isInstanceOf(RegistryException.class).hasMessageContaining("ambiguous");
		String manifestWithManifests = """
				{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}""";
		assertThatThrownBy(() -> parse(manifestWithManifests, null)).hasMessageContaining("ambiguous");
		String indexByHeaderWithLayers = """
				{"schemaVersion":2,"layers":[]}""";
		assertThatThrownBy(() -> parse(indexByHeaderWithLayers, MediaTypes.OCI_INDEX)).hasMessageContaining("ambiguous");
	}

	@Test
	void badDocumentsAreRefusedWithTheFieldNamed() {
		assertThatThrownBy(() -> parse("{\"schemaVersion\":1,\"fsLayers\":[]}", MediaTypes.DOCKER_SCHEMA1_SIGNED))
			.hasMessageContaining("schema 1 are not supported");
		assertThatThrownBy(() -> parse("[1]", MediaTypes.OCI_MANIFEST)).hasMessageContaining("not a JSON object");
		assertThatThrownBy(() -> parse("{", MediaTypes.OCI_MANIFEST)).hasMessageContaining("not valid JSON");
		String badDigest = """
				{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
				 "config":{"mediaType":"x","digest":"sha256:../../x","size":1},"layers":[]}""";
		assertThatThrownBy(() -> parse(badDigest, null)).hasMessageContaining("\"config.digest\"");
		String negativeSize = """
				{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
				 "config":{"mediaType":"x","digest":"%s","size":-1},"layers":[]}""".formatted(A);
		assertThatThrownBy(() -> parse(negativeSize, null)).hasMessageContaining("\"config.size\"");
		String foreignLayerType = """
				{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
				 "config":{"mediaType":"x","digest":"%s","size":1},"layers":[{"mediaType":"text/plain","digest":"%s","size":1}]}"""
			.formatted(A, B);
		assertThatThrownBy(() -> parse(foreignLayerType, null)).hasMessageContaining("unsupported layer media type \"text/plain\"");
		assertThatThrownBy(() -> parse("{\"schemaVersion\":2}", "text/html")).hasMessageContaining("unsupported manifest media type");
		assertThatThrownBy(() -> Manifests.parse(new byte[Manifests.MAX_MANIFEST_BYTES + 1], null))
			.hasMessageContaining("more than the");
	}

	@Test
	void platformsNormalizeAsDockerDoes() {
		assertThat(Platform.parse("linux/x86_64")).isEqualTo(new Platform("linux", "amd64", null));
		assertThat(Platform.parse("linux/aarch64/v8")).isEqualTo(new Platform("linux", "arm64", null));
		assertThat(Platform.parse("linux/arm/v7")).hasToString("linux/arm/v7");
		assertThat(Platform.host().os()).isEqualTo("linux");
		assertThatThrownBy(() -> Platform.parse("a/b/c/d")).hasMessageContaining("invalid platform");
	}

	private static Manifests.Document parse(String json, String contentType) {
		return Manifests.parse(json.getBytes(StandardCharsets.UTF_8), contentType);
	}

}
