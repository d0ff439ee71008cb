package dev.berth.gateway.image;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImagePathTests {

	@Test
	void theOperationIsAfterTheLastSlashAndTheNameKeepsItsSlashesAndColons() {
		assertThat(ImagePath.parse("/localhost:5000/app:1/json")).isEqualTo(new ImagePath("localhost:5000/app:1", "json"));
		assertThat(ImagePath.parse("/busybox/history")).isEqualTo(new ImagePath("busybox", "history"));
		assertThat(ImagePath.parse("/app@sha256:abc/get")).isEqualTo(new ImagePath("app@sha256:abc", "get"));
		assertThat(ImagePath.parse("/busybox")).isEqualTo(new ImagePath("busybox", ""));
		assertThat(ImagePath.name("/a/b:1")).isEqualTo("a/b:1");
	}

}
