package dev.berth.lifecycle.container;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.berth.lifecycle.PostgresServer;

/**
 * The store on a cluster's database: one PostgreSQL server and database for the class, emptied
 * before each test (a fresh database per test cost most of a second).
 */
class PostgresqlContainerStoreTests extends ContainerStoreContract {

	private static final String DATABASE = "store";

	static PostgresServer server;

	private boolean emptied;

	@BeforeAll
	static void startServer() throws Exception {
		server = PostgresServer.start();
		server.createDatabase(DATABASE);
	}

	@AfterAll
	static void stopServer() throws Exception {
		server.close();
	}

	@Override
	HikariDataSource openDatabase() {
		HikariDataSource dataSource = server.dataSource(DATABASE);
		if (!this.emptied) {
			StoreFixture.migrate(dataSource);
			// execs go with their containers
			JdbcClient.create(dataSource).sql("DELETE FROM containers").update();
			this.emptied = true;
		}
		return dataSource;
	}

}
