package dev.berth.lifecycle;

import java.nio.file.Path;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The migrations apply cleanly, and only once, to both databases the service runs on. */
class MigrationsTests {

	@TempDir
	Path dataRoot;

	@Test
	void applyToTheEmbeddedDatabase() {
		try (HikariDataSource dataSource = H2Database.open(this.dataRoot)) {
			assertAppliesCleanlyOnce(dataSource);
		}
	}

	@Test
	void applyToPostgresql() throws Exception {
		try (PostgresServer postgres = PostgresServer.start(); HikariDataSource dataSource = postgres.dataSource()) {
			assertAppliesCleanlyOnce(dataSource);
		}
	}

	private static void assertAppliesCleanlyOnce(DataSource dataSource) {
		Flyway flyway = Flyway.configure().dataSource(dataSource).load();

		assertThat(flyway.migrate().migrationsExecuted).isPositive();
		assertThat(flyway.info().all()).extracting(MigrationInfo::getState).containsOnly(MigrationState.SUCCESS);
		assertThat(flyway.validateWithResult().validationSuccessful).isTrue();
		assertThat(flyway.migrate().migrationsExecuted).isZero();
	}

}
