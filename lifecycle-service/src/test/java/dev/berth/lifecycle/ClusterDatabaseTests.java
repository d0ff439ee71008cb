package dev.berth.lifecycle;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.container.NewContainer;

import static org.assertj.core.api.Assertions.assertThat;

/** With {@code spring.datasource.url} set, as on a cluster, the service migrates and uses that database instead of H2. */
@SpringBootTest(properties = "spring.grpc.server.port=0")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ClusterDatabaseTests {

	static PostgresServer postgres;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) throws Exception {
		postgres = PostgresServer.start();
		registry.add("spring.datasource.url", () -> postgres.url("postgres"));
		registry.add("spring.datasource.username", () -> PostgresServer.USER);
		// no embedded database may appear: a data root nobody can write to would fail the start
		registry.add("berth.data-root", () -> "/proc/berth-must-not-be-used");
	}

	@AfterAll
	static void stopDatabase() throws Exception {
		postgres.close();
	}

	@Autowired
	ContainerStore containers;

	@Test
	void storesContainersInTheConfiguredDatabase() throws Exception {
		this.containers.create(new NewContainer("on-postgres", "busybox", "sha256:" + "ab".repeat(32), "local", null,
				null, null));

		try (var dataSource = postgres.dataSource("postgres");
				var connection = dataSource.getConnection();
				var rows = connection.createStatement().executeQuery("SELECT name FROM containers")) {
			assertThat(rows.next()).isTrue();
			assertThat(rows.getString(1)).isEqualTo("on-postgres");
		}
	}

}
