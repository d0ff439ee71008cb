package dev.berth.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.lifecycle.container.ContainerStore;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(properties = "spring.grpc.server.port=0")
class LifecycleServiceApplicationTests {

	@TempDir
	static Path dataRoot;

	@DynamicPropertySource
	static void dataRoot(DynamicPropertyRegistry registry) {
		registry.add("berth.data-root", dataRoot::toString);
	}

	@Autowired
	ContainerStore containers;

	@Test
	void startsWithAnEmptyMigratedStoreUnderTheDataRoot() {
		assertThat(this.containers.list()).isEmpty();
		assertThat(Files.exists(dataRoot.resolve("lifecycle/lifecycle.mv.db"))).isTrue();
	}

}
