package dev.berth.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** References resolve as Docker resolves them, and the ones Docker refuses are refused. */
class ImageReferenceTests {

	private static final String DIGEST = "sha256:" + "ab".repeat(32);

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			busybox                      | docker.io       | library/busybox | latest | busybox:latest
			busybox:1.36                 | docker.io       | library/busybox | 1.36   | busybox:1.36
			library/busybox              | docker.io       | library/busybox | latest | busybox:latest
			docker.io/library/busybox    | docker.io       | library/busybox | latest | busybox:latest
			index.docker.io/user/app:v2  | docker.io       | user/app        | v2     | user/app:v2
			user/app                     | docker.io       | user/app        | latest | user/app:latest
			localhost/app                | localhost       | app             | latest | localhost/app:latest
			localhost:5000/app:dev       | localhost:5000  | app             | dev    | localhost:5000/app:dev
			127.0.0.1:5000/a/b/c         | 127.0.0.1:5000  | a/b/c           | latest | 127.0.0.1:5000/a/b/c:latest
			ghcr.io/org/tool:1.0.0-rc.1  | ghcr.io         | org/tool        | 1.0.0-rc.1 | ghcr.io/org/tool:1.0.0-rc.1
			quay.io/my_org/my-app__x     | quay.io         | my_org/my-app__x | latest | quay.io/my_org/my-app__x:latest
			""")
	void resolvesLikeDocker(String text, String registry, String repository, String tag, String familiar) {
		ImageReference reference = ImageReference.parse(text);
		assertThat(reference.registry()).isEqualTo(registry);
		assertThat(reference.repository()).isEqualTo(repository);
		assertThat(reference.tag()).isEqualTo(tag);
		assertThat(reference.digest()).isNull();
		assertThat(reference.familiarString()).isEqualTo(familiar);
	}

	@org.junit.jupiter.api.Test
	void digestsPinTheContentWithOrWithoutATag() {
		ImageReference byDigest = ImageReference.parse("busybox@" + DIGEST);
		assertThat(byDigest.tag()).isNull();
		assertThat(byDigest.digest()).isEqualTo(DIGEST);
		assertThat(byDigest.toString()).isEqualTo("docker.io/library/busybox@" + DIGEST);
		ImageReference both = ImageReference.parse("localhost:5000/app:1.0@" + DIGEST);
		assertThat(both.tag()).isEqualTo("1.0");
		assertThat(both.digest()).isEqualTo(DIGEST);
		assertThat(both.familiarString()).isEqualTo("localhost:5000/app:1.0@" + DIGEST);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "Busybox", "user/App", "busybox:", "busybox:-bad", "busy..box", "-app", "app-",
			"a//b", "busybox@sha256:abc", "busybox@sha256:" + "AB0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
			"busybox@md5", "bad_host:5000:x/app", "local host/app" })
	void refusesWhatDockerRefuses(String text) {
		assertThatThrownBy(() -> ImageReference.parse(text)).isInstanceOf(InvalidReferenceException.class)
			.hasMessageStartingWith("invalid reference format");
	}

	@org.junit.jupiter.api.Test
	void uppercaseIsExplainedAsDockerExplainsIt() {
		assertThatThrownBy(() -> ImageReference.parse("User/App"))
			.hasMessage("invalid reference format: repository name (User/App) must be lowercase");
	}

	@org.junit.jupiter.api.Test
	void namesOver255CharactersAreRefused() {
		assertThatThrownBy(() -> ImageReference.parse("a".repeat(250) + "/b".repeat(5)))
			.hasMessageContaining("more than 255 characters");
	}

}
