package dev.berth.engine.registry;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.image.ImageReference;
import dev.berth.engine.testing.Fixtures;
import dev.berth.engine.testing.TestRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pulls from registries that want basic auth and bearer tokens, as Docker Hub and Harbor do. */
class AuthenticatedPullTests {

	private static final Platform AMD64 = Platform.parse("linux/amd64");

	private static final RegistryCredentials GOOD = RegistryCredentials.basic(TestRegistry.USERNAME, TestRegistry.PASSWORD);

	private static TestRegistry basic;

	private static TestRegistry token;

	@TempDir
	Path dataRoot;

	private Registries registries;

	private ContentStore content;

	@BeforeAll
	static void startRegistries() {
		basic = TestRegistry.start(TestRegistry.Auth.BASIC);
		basic.push(Fixtures.BUSYBOX, "private/busybox:latest", TestRegistry.Format.DOCKER_SCHEMA2);
		token = TestRegistry.start(TestRegistry.Auth.TOKEN);
		token.push(Fixtures.LAYERED, "private/layered:latest", TestRegistry.Format.OCI);
		token.push(Fixtures.BUSYBOX, "public/busybox:latest", TestRegistry.Format.OCI);
		token.tokenServer().allowAnonymousPull("public/busybox");
	}

	@AfterAll
	static void stopRegistries() {
		basic.close();
		token.close();
	}

	@org.junit.jupiter.api.AfterEach
	void closeClient() {
		this.registries.close();
	}

	@BeforeEach
	void newClient() {
		this.content = new ContentStore(this.dataRoot);
		this.registries = new Registries(new RegistryHosts(List.of(), List.of()), 3);
	}

	private PulledImage pull(TestRegistry registry, String repoAndTag, RegistryCredentials credentials) {
		return this.registries.pull(this.content, ImageReference.parse(registry.reference(repoAndTag)), AMD64, credentials,
				ProgressListener.NONE);
	}

	@Test
	void basicAuthNeedsTheRightPassword() {
		assertThatThrownBy(() -> pull(basic, "private/busybox:latest", RegistryCredentials.ANONYMOUS))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED))
			.hasMessage("no basic auth credentials");
		assertThatThrownBy(() -> pull(basic, "private/busybox:latest", RegistryCredentials.basic(TestRegistry.USERNAME, "wrong")))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED));
		assertThat(pull(basic, "private/busybox:latest", GOOD).manifest().layers()).hasSize(1);
		this.registries.login(basic.host(), GOOD);
		assertThatThrownBy(() -> this.registries.login(basic.host(), RegistryCredentials.basic("someone", "else")))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED));
	}

	@Test
	void aTokenIsFetchedOnceAndReusedForEveryBlobOfThePull() {
		int before = token.tokenServer().issuedTokens();
		PulledImage layered = pull(token, "private/layered:latest", GOOD);
		assertThat(layered.manifest().layers()).hasSize(2);
		assertThat(token.tokenServer().issuedTokens() - before).isEqualTo(1);
		assertThat(this.registries.tokensFetched()).isEqualTo(1);
		// a second pull within the token's lifetime asks the token server nothing
		pull(token, "private/layered:latest", GOOD);
		assertThat(token.tokenServer().issuedTokens() - before).isEqualTo(1);
	}

	@Test
	void anonymousPullsGetTokensOnlyWhereTheServerAllows() {
		assertThat(pull(token, "public/busybox:latest", RegistryCredentials.ANONYMOUS).manifest().layers()).hasSize(1);
		assertThatThrownBy(() -> pull(token, "private/layered:latest", RegistryCredentials.ANONYMOUS))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED))
			.hasMessageContaining("pull access denied for private/layered");
		assertThatThrownBy(() -> pull(token, "private/layered:latest", RegistryCredentials.basic(TestRegistry.USERNAME, "wrong")))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED));
		this.registries.login(token.host(), GOOD);
	}

	@Test
	void anIdentityTokenIsExchangedForAnAccessToken() {
		RegistryCredentials identity = new RegistryCredentials(null, null, dev.berth.engine.testing.TokenServer.REFRESH_TOKEN, null);
		assertThat(pull(token, "private/layered:latest", identity).manifest().layers()).hasSize(2);
		RegistryCredentials stale = new RegistryCredentials(null, null, "expired-refresh-token", null);
		assertThatThrownBy(() -> pull(token, "private/layered:latest", stale))
			.isInstanceOfSatisfying(RegistryException.class,
					(ex) -> assertThat(ex.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED))
			.hasMessageContaining("invalid refresh token");
	}

	@Test
	void credentialsFromTheRegistryAuthHeaderWork() {
		String header = java.util.Base64.getUrlEncoder().encodeToString(("{\"username\":\"" + TestRegistry.USERNAME
				+ "\",\"password\":\"" + TestRegistry.PASSWORD + "\",\"serveraddress\":\"" + token.host() + "\"}").getBytes());
		assertThat(pull(token, "private/layered:latest", RegistryCredentials.fromRegistryAuthHeader(header))
			.manifest().layers()).hasSize(2);
	}

}
