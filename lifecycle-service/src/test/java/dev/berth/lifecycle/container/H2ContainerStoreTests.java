package dev.berth.lifecycle.container;

import java.nio.file.Path;
import java.sql.Connection;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.lifecycle.H2Database;

import static dev.berth.lifecycle.container.StoreFixture.busybox;
import static org.assertj.core.api.Assertions.assertThat;

/** The store on the single-node default: H2 files under the data root, reopened as after a restart. */
class H2ContainerStoreTests extends ContainerStoreContract {

	@TempDir
	Path dataRoot;

	@Override
	HikariDataSource openDatabase() {
		return H2Database.open(this.dataRoot);
	}

	/**
	 * The pool retires every connection after its maximum lifetime, the one that ran the migrations too, while
	 * others keep the database open: the constraints it created must go on checking rows (they did not with H2
	 * 2.4.240, and every create failed half an hour after the first start).
	 */
	@Test
	void storesAfterThePoolRetiresTheConnectionThatMigrated() throws Exception {
		Path fresh = this.dataRoot.resolve("fresh");
		try (HikariDataSource dataSource = H2Database.open(fresh); Connection keepsTheDatabaseOpen = dataSource.getConnection()) {
			StoreFixture fixture = StoreFixture.migrate(dataSource);
			// closes the idle connections now, as maxLifetime does later: the one Flyway used among them
			dataSource.getHikariPoolMXBean().softEvictConnections();
			assertThat(fixture.store.create(busybox("after-retirement")).name()).isEqualTo("after-retirement");
			assertThat(keepsTheDatabaseOpen.isValid(1)).isTrue();
		}
	}

}
