package dev.berth.lifecycle.container;

import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.lifecycle.H2Database;

/** The store on the single-node default: H2 files under the data root, reopened as after a restart. */
class H2ContainerStoreTests extends ContainerStoreContract {

	@TempDir
	Path dataRoot;

	@Override
	HikariDataSource openDatabase() {
		return H2Database.open(this.dataRoot);
	}

}
