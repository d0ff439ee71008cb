package dev.berth.lifecycle.container;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A store over a real database, migrated as the service migrates it at start. */
final class StoreFixture implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	final HikariDataSource dataSource;

	final ContainerStore store;

	private StoreFixture(HikariDataSource dataSource, ContainerStore store) {
		this.dataSource = dataSource;
		this.store = store;
	}

	/** Brings the database up to date, as the service does at start. */
	static StoreFixture migrate(HikariDataSource dataSource) {
		Flyway.configure().dataSource(dataSource).load().migrate();
		return new StoreFixture(dataSource, new ContainerStore(dataSource));
	}

	static ObjectNode json(String text) {
		return (ObjectNode) JSON.readTree(text);
	}

	static NewContainer busybox(String name) {
		return new NewContainer(name, "busybox", "sha256:" + "ab".repeat(32), "local",
				json("{\"Image\":\"busybox\",\"Cmd\":[\"sh\"]}"), json("{}"), json("{}"));
	}

	@Override
	public void close() {
		this.dataSource.close();
	}

}
