package dev.berth.lifecycle;

import java.nio.file.Path;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The single-node store: an H2 database in files under {@code <data-root>/lifecycle/}, as dockerd
 * keeps its state under {@code --data-root}. A cluster sets {@code spring.datasource.url} to its
 * PostgreSQL instead, and this configuration steps aside; Flyway applies the same migrations to
 * either.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class H2Database {

	// PostgreSQL mode keeps H2 close to the cluster's database; the lock timeout lets a writer
	// wait out another's short transaction instead of failing at H2's default of one second
	private static final String OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
			+ ";LOCK_TIMEOUT=10000";

	@Bean
	HikariDataSource dataSource(@Value("${berth.data-root}") Path dataRoot) {
		return open(dataRoot);
	}

	/** A pool over the database under {@code dataRoot}, which H2 creates on first use. */
	public static HikariDataSource open(Path dataRoot) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("lifecycle");
		config.setJdbcUrl("jdbc:h2:file:" + dataRoot.toAbsolutePath().resolve("lifecycle/lifecycle") + OPTIONS);
		config.setUsername("sa");
		config.setPassword("");
		return new HikariDataSource(config);
	}

}
