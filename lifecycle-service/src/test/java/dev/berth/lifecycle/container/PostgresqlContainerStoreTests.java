package dev.berth.lifecycle.container;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.berth.lifecycle.PostgresServer;

/** The store on a cluster's database: one PostgreSQL server for the class, a database per test. */
class PostgresqlContainerStoreTests extends ContainerStoreContract {

	static PostgresServer server;

	private static int databases;

	private String database;

	@BeforeAll
	static void startServer() throws Exception {
		server = PostgresServer.start();
	}

	@AfterAll
	static void stopServer() throws Exception {
		server.close();
	}

	@Override
	HikariDataSource openDatabase() {
		if (this.database == null) {
			this.database = "store_" + (++databases);
			server.createDatabase(this.database);
		}
		return server.dataSource(this.database);
	}

}
