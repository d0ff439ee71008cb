package dev.berth.lifecycle.container;

import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.EmbeddedDatabase;

/** A store over a real H2 database in files under a data root, opened as the service opens it. */
final class StoreFixture implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	final HikariDataSource dataSource;

	final ContainerStore store;

	private StoreFixture(HikariDataSource dataSource, ContainerStore store) {
		this.dataSource = dataSource;
		this.store = store;
	}

	static StoreFixture open(Path dataRoot) {
		HikariDataSource dataSource = EmbeddedDatabase.open(dataRoot);
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
