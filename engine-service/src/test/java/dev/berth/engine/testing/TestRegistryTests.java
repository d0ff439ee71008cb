package dev.berth.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.berth.engine.testing.TestRegistry.Auth;
import dev.berth.engine.testing.TestRegistry.Format;

/**
 * The harness itself: each auth mode challenges as Distribution does, the fixtures arrive in the registry as they were
 * built, and the proxy passes everything on, records it, and cuts where it was told to.
 */
class TestRegistryTests {

	private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

	private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

	private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

	private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

	private static final int MIB = 1024 * 1024;

	private static final String WRONG_PASSWORD = TestRegistry.basicAuthorization(TestRegistry.USERNAME, "wrong");

	private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	/** A registry without auth that the fixture and proxy tests share; {@link Fixtures#BIG} is in it as big:1. */
	private static TestRegistry registry;

	@BeforeAll
	static void startRegistry() {
		registry = TestRegistry.start(Auth.NONE);
		registry.push(Fixtures.BIG, "big:1", Format.OCI);
	}

	@AfterAll
	static void stopRegistry() {
		registry.close();
	}

	@Test
	void withoutAuthEveryoneIsServed() throws Exception {
		HttpResponse<String> v2 = send(HttpRequest.newBuilder(registry.uri().resolve("/v2/")));
		assertThat(v2.statusCode()).isEqualTo(200);
		assertThat(v2.headers().firstValue("Docker-Distribution-Api-Version")).hasValue("registry/2.0");
	}

	@Test
	void basicAuthChallengesAndServesTheTestUser() throws Exception {
		try (TestRegistry basic = TestRegistry.start(Auth.BASIC)) {
			URI v2 = basic.uri().resolve("/v2/");
			HttpResponse<String> anonymous = send(HttpRequest.newBuilder(v2));
			assertThat(anonymous.statusCode()).isEqualTo(401);
			assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
				.hasValue("Basic realm=\"" + TestRegistry.BASIC_REALM + "\"");
			assertThat(send(HttpRequest.newBuilder(v2).header("Authorization", WRONG_PASSWORD)).statusCode())
				.isEqualTo(401);
			assertThat(send(HttpRequest.newBuilder(v2).header("Authorization", TestRegistry.basicAuthorization())).statusCode())
				.isEqualTo(200);

			basic.push(Fixtures.BUSYBOX, "private/busybox:1", Format.OCI);
			HttpResponse<String> manifest = send(manifestRequest(basic, "private/busybox", "1")
				.header("Authorization", TestRegistry.basicAuthorization()));
			assertThat(manifest.statusCode()).isEqualTo(200);
			assertThat(manifest.headers().firstValue("Docker-Content-Digest"))
				.hasValue(basic.manifestDigest("private/busybox:1"));
		}
	}

	@Test
	void tokenAuthChallengesWithItsRealmAndAScopedTokenPulls() throws Exception {
		try (TestRegistry token = TestRegistry.start(Auth.TOKEN)) {
			TokenServer tokens = token.tokenServer();
			HttpResponse<String> challenge = send(HttpRequest.newBuilder(token.uri().resolve("/v2/")));
			assertThat(challenge.statusCode()).isEqualTo(401);
			assertThat(challenge.headers().firstValue("WWW-Authenticate"))
				.hasValue("Bearer realm=\"" + tokens.realm() + "\",service=\"" + TestRegistry.SERVICE + "\"");

			token.push(Fixtures.BUSYBOX, "private/busybox:1", Format.OCI);
			int issuedBefore = tokens.issuedTokens();
			HttpResponse<String> issued = send(HttpRequest.newBuilder(tokenUri(tokens, "repository:private/busybox:pull"))
				.header("Authorization", TestRegistry.basicAuthorization()));
			assertThat(issued.statusCode()).isEqualTo(200);
			DocumentContext body = JsonPath.parse(issued.body());
			String bearer = body.read("$.token");
			assertThat((String) body.read("$.access_token")).isEqualTo(bearer);
			assertThat((Integer) body.read("$.expires_in")).isPositive();
			assertThat((String) body.read("$.issued_at")).isNotBlank();
			assertThat(tokens.issuedTokens()).isEqualTo(issuedBefore + 1);

			HttpResponse<String> manifest = send(manifestRequest(token, "private/busybox", "1")
				.header("Authorization", "Bearer " + bearer));
			assertThat(manifest.statusCode()).isEqualTo(200);
			assertThat(manifest.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
			// the token's scope is one repository
			token.push(Fixtures.BUSYBOX, "other/busybox:1", Format.OCI);
			assertThat(send(manifestRequest(token, "other/busybox", "1").header("Authorization", "Bearer " + bearer))
				.statusCode()).isEqualTo(401);
		}
	}

	@Test
	void anonymousTokensPullOnlyWhereAllowed() throws Exception {
		try (TestRegistry token = TestRegistry.start(Auth.TOKEN)) {
			token.push(Fixtures.BUSYBOX, "library/busybox:latest", Format.DOCKER_SCHEMA2);
			String scope = "repository:library/busybox:pull";
			String denied = JsonPath.read(send(HttpRequest.newBuilder(tokenUri(token.tokenServer(), scope))).body(), "$.token");
			assertThat(send(manifestRequest(token, "library/busybox", "latest").header("Authorization", "Bearer " + denied))
				.statusCode()).isEqualTo(401);

			token.tokenServer().allowAnonymousPull("library/busybox");
			String allowed = JsonPath.read(send(HttpRequest.newBuilder(tokenUri(token.tokenServer(), scope))).body(),
					"$.token");
			assertThat(send(manifestRequest(token, "library/busybox", "latest").header("Authorization", "Bearer " + allowed))
				.statusCode()).isEqualTo(200);
		}
	}

	@Test
	void theTokenServerRefusesWrongCredentialsAndOtherServices() throws Exception {
		try (TestRegistry token = TestRegistry.start(Auth.TOKEN)) {
			URI scoped = tokenUri(token.tokenServer(), "repository:a/b:pull,push");
			assertThat(send(HttpRequest.newBuilder(scoped).header("Authorization", WRONG_PASSWORD)).statusCode())
				.isEqualTo(401);
			URI otherService = URI.create(token.tokenServer().realm() + "?service=elsewhere&scope=repository:a/b:pull");
			assertThat(send(HttpRequest.newBuilder(otherService)).statusCode()).isEqualTo(400);
			assertThat(token.tokenServer().issuedTokens()).isZero();
		}
	}

	@Test
	void busyboxArrivesAsOciAndAsDockerSchema2() throws Exception {
		registry.push(Fixtures.BUSYBOX, "busybox:oci", Format.OCI);
		HttpResponse<String> oci = send(manifestRequest(registry, "busybox", "oci"));
		assertThat(oci.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
		assertThat(oci.headers().firstValue("Docker-Content-Digest")).hasValue(registry.manifestDigest("busybox:oci"))
			.hasValue(TestRegistry.sha256(oci.body().getBytes(StandardCharsets.UTF_8)));
		DocumentContext manifest = JsonPath.parse(oci.body());
		assertThat((String) manifest.read("$.config.mediaType")).isEqualTo("application/vnd.oci.image.config.v1+json");
		assertThat((List<String>) manifest.read("$.layers[*].mediaType"))
			.containsExactly("application/vnd.oci.image.layer.v1.tar+gzip");

		DocumentContext config = JsonPath.parse(new String(blob(registry, "busybox", manifest.read("$.config.digest")),
				StandardCharsets.UTF_8));
		assertThat((String) config.read("$.os")).isEqualTo("linux");
		assertThat((String) config.read("$.architecture")).isEqualTo("amd64");
		assertThat((List<String>) config.read("$.config.Cmd")).containsExactly("sh");
		assertThat((List<String>) config.read("$.config.Env"))
			.containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
		assertThat((String) config.read("$.config.Labels['dev.berth.fixture']")).isEqualTo("busybox");
		assertThat((List<Object>) config.read("$.history")).isNotEmpty();
		assertThat(entries(blob(registry, "busybox", manifest.read("$.layers[0].digest"))))
			.contains("bin/busybox", "bin/sh", "bin/ls", "bin/true", "bin/sleep", "etc/passwd", "etc/group");

		registry.push(Fixtures.BUSYBOX, "busybox:docker", Format.DOCKER_SCHEMA2);
		HttpResponse<String> docker = send(manifestRequest(registry, "busybox", "docker"));
		assertThat(docker.headers().firstValue("Content-Type")).hasValue(DOCKER_MANIFEST);
		DocumentContext schema2 = JsonPath.parse(docker.body());
		assertThat((String) schema2.read("$.mediaType")).isEqualTo(DOCKER_MANIFEST);
		assertThat((String) schema2.read("$.config.mediaType")).isEqualTo("application/vnd.docker.container.image.v1+json");
		assertThat((List<String>) schema2.read("$.layers[*].mediaType"))
			.containsExactly("application/vnd.docker.image.rootfs.diff.tar.gzip");
	}

	@Test
	void theZstdLayerStaysZstd() throws Exception {
		registry.push(Fixtures.BUSYBOX_ZSTD, "busybox-zstd:1", Format.OCI);
		DocumentContext manifest = JsonPath.parse(send(manifestRequest(registry, "busybox-zstd", "1")).body());
		assertThat((List<String>) manifest.read("$.layers[*].mediaType"))
			.containsExactly("application/vnd.oci.image.layer.v1.tar+zstd");
		byte[] layer = blob(registry, "busybox-zstd", manifest.read("$.layers[0].digest"));
		assertThat(List.of(layer[0], layer[1], layer[2], layer[3]))
			.containsExactly((byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd);
		assertThatThrownBy(() -> registry.push(Fixtures.BUSYBOX_ZSTD, "busybox-zstd:docker", Format.DOCKER_SCHEMA2))
			.hasMessageContaining("zstd");
	}

	@Test
	void theUpperLayerOfLayeredHoldsAWhiteoutAndAnOpaqueDirectory() throws Exception {
		registry.push(Fixtures.LAYERED, "layered:1", Format.OCI);
		DocumentContext manifest = JsonPath.parse(send(manifestRequest(registry, "layered", "1")).body());
		List<String> layers = manifest.read("$.layers[*].digest");
		assertThat(layers).hasSize(2);
		assertThat(entries(blob(registry, "layered", layers.get(0))))
			.contains("bin/busybox", "a/keep", "a/remove-me", "opaque/old1", "opaque/old2");
		assertThat(entries(blob(registry, "layered", layers.get(1))))
			.containsExactlyInAnyOrder("a/", "a/.wh.remove-me", "a/added", "opaque/", "opaque/.wh..wh..opq", "opaque/new");
	}

	@Test
	void multiarchIsAnIndexOfAmd64AndArm64() throws Exception {
		registry.push(Fixtures.MULTIARCH, "multiarch:oci", Format.OCI);
		HttpResponse<String> oci = send(manifestRequest(registry, "multiarch", "oci"));
		assertThat(oci.headers().firstValue("Content-Type")).hasValue(OCI_INDEX);
		DocumentContext index = JsonPath.parse(oci.body());
		assertThat((List<String>) index.read("$.manifests[*].platform.architecture")).containsExactly("amd64", "arm64");
		assertThat((List<String>) index.read("$.manifests[*].platform.os")).containsExactly("linux", "linux");
		List<String> platforms = new ArrayList<>();
		for (String digest : index.<List<String>>read("$.manifests[*].digest")) {
			DocumentContext manifest = JsonPath.parse(send(manifestRequest(registry, "multiarch", digest)).body());
			DocumentContext config = JsonPath.parse(
					new String(blob(registry, "multiarch", manifest.read("$.config.digest")), StandardCharsets.UTF_8));
			platforms.add(config.read("$.architecture") + "=" + config.read("$.config.Labels['" + Fixtures.PLATFORM_LABEL + "']"));
		}
		assertThat(platforms).containsExactly("amd64=amd64", "arm64=arm64");

		registry.push(Fixtures.MULTIARCH, "multiarch:docker", Format.DOCKER_SCHEMA2);
		HttpResponse<String> docker = send(manifestRequest(registry, "multiarch", "docker"));
		assertThat(docker.headers().firstValue("Content-Type")).hasValue(DOCKER_LIST);
		assertThat((List<String>) JsonPath.read(docker.body(), "$.manifests[*].mediaType"))
			.containsExactly(DOCKER_MANIFEST, DOCKER_MANIFEST);
	}

	@Test
	void bigHasAHundredMebibytesThatDoNotCompress() throws Exception {
		DocumentContext manifest = JsonPath.parse(send(manifestRequest(registry, "big", "1")).body());
		assertThat((List<Integer>) manifest.read("$.layers[*].size")).hasSize(2)
			.last()
			.satisfies((size) -> assertThat(size).isGreaterThan(100 * MIB));
	}

	@Test
	void aCorruptedBlobKeepsItsLengthAndUnpacksButMissesItsDigest() throws Exception {
		try (TestRegistry own = TestRegistry.start(Auth.NONE)) {
			own.push(Fixtures.BUSYBOX, "busybox:1", Format.OCI);
			String layer = JsonPath.read(send(manifestRequest(own, "busybox", "1")).body(), "$.layers[0].digest");
			byte[] intact = blob(own, "busybox", layer);
			own.corruptBlob(layer);
			byte[] corrupt = blob(own, "busybox", layer);
			assertThat(corrupt).hasSameSizeAs(intact).isNotEqualTo(intact);
			assertThat(TestRegistry.sha256(corrupt)).isNotEqualTo(layer);
			assertThat(gunzip(corrupt)).isEqualTo(gunzip(intact));
		}
	}

	@Test
	void theProxyForwardsEverythingAndRecordsIt() throws Exception {
		try (RecordingProxy proxy = RecordingProxy.start(registry.uri())) {
			String layer = bigLayer();
			HttpResponse<String> head = send(HttpRequest.newBuilder(proxy.uri().resolve("/v2/big/blobs/" + layer))
				.method("HEAD", HttpRequest.BodyPublishers.noBody()));
			assertThat(head.statusCode()).isEqualTo(200);
			assertThat(head.headers().firstValueAsLong("Content-Length").orElseThrow()).isGreaterThan(100L * MIB);
			assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(layer);

			HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/v2/big/blobs/" + layer))
				.header("Range", "bytes=100-199")
				.build(), HttpResponse.BodyHandlers.ofByteArray());
			assertThat(range.statusCode()).isEqualTo(206);
			assertThat(range.body()).hasSize(100);
			assertThat(range.headers().firstValue("Content-Range"))
				.hasValueSatisfying((value) -> assertThat(value).startsWith("bytes 100-199/"));

			// an upload's Location leads back through the proxy, and the body goes through it
			HttpResponse<String> upload = send(HttpRequest.newBuilder(proxy.uri().resolve("/v2/uploaded/blobs/uploads/"))
				.POST(HttpRequest.BodyPublishers.noBody()));
			assertThat(upload.statusCode()).isEqualTo(202);
			String location = upload.headers().firstValue("Location").orElseThrow();
			assertThat(location).startsWith(proxy.uri().toString());
			byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
			String digest = TestRegistry.sha256(content);
			URI finish = URI.create(location + "&digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));
			HttpResponse<String> put = send(HttpRequest.newBuilder(finish)
				.PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
			assertThat(put.statusCode()).isEqualTo(201);
			assertThat(blob(registry, "uploaded", digest)).isEqualTo(content);

			assertThat(proxy.exchanges()).extracting(RecordingProxy.Exchange::method, RecordingProxy.Exchange::status,
					RecordingProxy.Exchange::responseBytes)
				.containsExactly(tuple("HEAD", 200, 0L),
						tuple("GET", 206, 100L),
						tuple("POST", 202, 0L),
						tuple("PUT", 201, 0L));
			RecordingProxy.Exchange rangeGet = proxy.exchanges().get(1);
			assertThat(rangeGet.path()).isEqualTo("/v2/big/blobs/" + layer);
			assertThat(rangeGet.requestHeaders().firstValue("Range")).hasValue("bytes=100-199");
			assertThat(rangeGet.started()).isBeforeOrEqualTo(rangeGet.finished());
			assertThat(proxy.exchanges().get(3).query()).contains("digest=");
			proxy.clear();
			assertThat(proxy.exchanges()).isEmpty();
		}
	}

	@Test
	void anArmedFaultCutsOneBodyAndARangeRequestResumesIt() throws Exception {
		try (RecordingProxy proxy = RecordingProxy.start(registry.uri())) {
			String layer = bigLayer();
			URI uri = proxy.uri().resolve("/v2/big/blobs/" + layer);
			proxy.cutNextGet("/blobs/" + layer + "$", MIB);

			ByteArrayOutputStream received = new ByteArrayOutputStream();
			HttpResponse<InputStream> cut = http.send(HttpRequest.newBuilder(uri).build(),
					HttpResponse.BodyHandlers.ofInputStream());
			assertThat(cut.statusCode()).isEqualTo(200);
			assertThat(cut.headers().firstValueAsLong("Content-Length").orElseThrow()).isGreaterThan(100L * MIB);
			assertThatThrownBy(() -> {
				try (InputStream body = cut.body()) {
					body.transferTo(received);
				}
			}).isInstanceOf(IOException.class);
			// a cut connection may drop the last bytes the client had not read yet: resume from what arrived
			long kept = received.size();
			assertThat(kept).isPositive().isLessThanOrEqualTo(MIB);

			HttpResponse<InputStream> rest = http.send(HttpRequest.newBuilder(uri).header("Range", "bytes=" + kept + "-").build(),
					HttpResponse.BodyHandlers.ofInputStream());
			assertThat(rest.statusCode()).isEqualTo(206);
			try (InputStream body = rest.body()) {
				body.transferTo(received);
			}
			assertThat(TestRegistry.sha256(received.toByteArray())).isEqualTo(layer);

			assertThat(proxy.exchanges()).extracting(RecordingProxy.Exchange::status, RecordingProxy.Exchange::cut)
				.containsExactly(tuple(200, true), tuple(206, false));
			assertThat(proxy.exchanges().get(0).responseBytes()).isEqualTo(MIB);
			assertThat(proxy.exchanges().get(1).responseBytes()).isEqualTo(received.size() - kept);
		}
	}

	@Test
	void fetchesInFlightTogetherAreRecordedAsOverlapping() throws Exception {
		try (RecordingProxy proxy = RecordingProxy.start(registry.uri())) {
			URI layer = proxy.uri().resolve("/v2/big/blobs/" + bigLayer());
			// 32 MiB fit in no socket buffer: neither exchange can finish before its body is read
			HttpRequest get = HttpRequest.newBuilder(layer).header("Range", "bytes=0-" + (32 * MIB - 1)).build();
			HttpResponse<InputStream> first = http.send(get, HttpResponse.BodyHandlers.ofInputStream());
			HttpResponse<InputStream> second = http.send(get, HttpResponse.BodyHandlers.ofInputStream());
			for (HttpResponse<InputStream> response : List.of(first, second)) {
				try (InputStream body = response.body()) {
					body.transferTo(OutputStream.nullOutputStream());
				}
			}
			send(HttpRequest.newBuilder(layer).header("Range", "bytes=0-0"));
			List<RecordingProxy.Exchange> exchanges = proxy.exchanges();
			assertThat(exchanges).extracting(RecordingProxy.Exchange::responseBytes)
				.containsExactly(32L * MIB, 32L * MIB, 1L);
			assertThat(exchanges.get(0).overlaps(exchanges.get(1))).isTrue();
			assertThat(exchanges.get(2).overlaps(exchanges.get(1))).isFalse();
		}
	}

	private static String bigLayer() throws Exception {
		return JsonPath.read(send(manifestRequest(registry, "big", "1")).body(), "$.layers[1].digest");
	}

	private static HttpRequest.Builder manifestRequest(TestRegistry registry, String repository, String reference) {
		return HttpRequest.newBuilder(registry.uri().resolve("/v2/" + repository + "/manifests/" + reference))
			.header("Accept", String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST));
	}

	private static URI tokenUri(TokenServer tokens, String scope) {
		return URI.create(tokens.realm() + "?service=" + TestRegistry.SERVICE + "&scope="
				+ URLEncoder.encode(scope, StandardCharsets.UTF_8));
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static byte[] blob(TestRegistry registry, String repository, String digest) throws Exception {
		HttpResponse<byte[]> response = http.send(
				HttpRequest.newBuilder(registry.uri().resolve("/v2/" + repository + "/blobs/" + digest)).build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	private static byte[] gunzip(byte[] gzip) throws IOException {
		try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
			return in.readAllBytes();
		}
	}

	private static List<String> entries(byte[] gzipTar) throws IOException {
		List<String> names = new ArrayList<>();
		try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(gunzip(gzipTar)))) {
			for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
				names.add(entry.getName());
			}
		}
		return names;
	}

}
