package dev.berth.engine.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryAuthTests {

	@Test
	void registryAuthHeaderDecodesEveryFormClientsSend() {
		assertThat(RegistryCredentials.fromRegistryAuthHeader(null).isAnonymous()).isTrue();
		assertThat(RegistryCredentials.fromRegistryAuthHeader(encode("{}")).isAnonymous()).isTrue();
		RegistryCredentials basic = RegistryCredentials
			.fromRegistryAuthHeader(encode("{\"username\":\"ann\",\"password\":\"p+/?=\",\"serveraddress\":\"r:5000\"}"));
		assertThat(basic).isEqualTo(RegistryCredentials.basic("ann", "p+/?="));
		assertThat(basic.toString()).doesNotContain("p+/?=");
		String legacy = Base64.getEncoder().encodeToString("bob:s3:cret".getBytes(StandardCharsets.UTF_8));
		assertThat(RegistryCredentials.fromRegistryAuthHeader(encode("{\"auth\":\"" + legacy + "\"}")))
			.isEqualTo(RegistryCredentials.basic("bob", "s3:cret"));
		assertThat(RegistryCredentials.fromRegistryAuthHeader(encode("{\"identitytoken\":\"tok\"}")).identityToken())
			.isEqualTo("tok");
		// docker-py pads and uses the standard alphabet
		String padded = Base64.getEncoder().encodeToString("{\"username\":\"a?>\",\"password\":\"b\"}".getBytes(StandardCharsets.UTF_8));
		assertThat(RegistryCredentials.fromRegistryAuthHeader(padded).username()).isEqualTo("a?>");
		assertThatThrownBy(() -> RegistryCredentials.fromRegistryAuthHeader("%%%"))
			.hasMessageContaining("invalid X-Registry-Auth header");
		assertThatThrownBy(() -> RegistryCredentials.fromRegistryAuthHeader(encode("[1]")))
			.hasMessageContaining("not a JSON object");
	}

	@Test
	void challengesWithQuotedCommasAreParsed() {
		Challenge challenge = Challenge.parse(
				"Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"");
		assertThat(challenge.isBearer()).isTrue();
		assertThat(challenge.parameter("realm")).isEqualTo("https://auth.example/token");
		assertThat(challenge.parameter("scope")).isEqualTo("repository:a/b:pull,push");
		assertThat(Challenge.parse("Basic realm=\"Registry Realm\"").isBasic()).isTrue();
		assertThat(Challenge.parse("")).isNull();
	}

	@Test
	void mirrorsComeFirstForDockerHubAndLoopbackIsInsecure() {
		RegistryHosts hosts = new RegistryHosts(java.util.List.of("http://127.0.0.1:5000"),
				java.util.List.of("registry.internal:5000", "10.1.0.0/16"));
		assertThat(hosts.pullEndpoints("docker.io")).extracting((e) -> e.base().toString())
			.containsExactly("http://127.0.0.1:5000", "https://registry-1.docker.io");
		assertThat(hosts.pushEndpoints("docker.io")).extracting((e) -> e.base().toString())
			.containsExactly("https://registry-1.docker.io");
		assertThat(hosts.pullEndpoints("registry.internal:5000")).extracting((e) -> e.base().toString())
			.containsExactly("https://registry.internal:5000", "http://registry.internal:5000");
		assertThat(hosts.pullEndpoints("localhost:5000").get(0).skipTlsVerify()).isTrue();
		assertThat(hosts.isInsecure("10.1.2.3:443")).isTrue();
		assertThat(hosts.isInsecure("10.2.0.1")).isFalse();
		assertThat(hosts.pullEndpoints("10.9.0.1:5000")).singleElement().satisfies((e) -> {
			assertThat(e.base().toString()).isEqualTo("https://10.9.0.1:5000");
			assertThat(e.skipTlsVerify()).isFalse();
		});
		assertThatThrownBy(() -> new RegistryHosts(java.util.List.of("mirror.example"), java.util.List.of()))
			.hasMessageContaining("must start with http:// or https://");
		assertThatThrownBy(() -> new RegistryHosts(java.util.List.of(), java.util.List.of("http://x")))
			.hasMessageContaining("should not contain '://'");
	}

	private static String encode(String json) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

}
