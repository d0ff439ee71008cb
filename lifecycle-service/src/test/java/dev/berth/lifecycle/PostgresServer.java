package dev.berth.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A throwaway PostgreSQL from Debian's {@code postgresql} package: a fresh cluster in a temp
 * directory, on a free loopback port, stopped and deleted on close. PostgreSQL refuses to run as
 * root, so as root the server runs as the package's {@code postgres} user.
 */
public final class PostgresServer implements AutoCloseable {

	private static final Path VERSIONS = Path.of("/usr/lib/postgresql");

	/** The superuser initdb creates; local connections are trusted, so it has no password. */
	public static final String USER = "berth";

	private static final Duration STARTUP = Duration.ofSeconds(30);

	private final Path bin;

	private final boolean root;

	private final Path directory;

	private final Process server;

	private final String url;

	private PostgresServer(Path bin, boolean root, Path directory, Process server, String url) {
		this.bin = bin;
		this.root = root;
		this.directory = directory;
		this.server = server;
		this.url = url;
	}

	public static PostgresServer start() throws IOException, InterruptedException {
		Path bin = newestBinaries();
		Path directory = Files.createTempDirectory("berth-postgres");
		boolean root = "root".equals(System.getProperty("user.name"));
		if (root) {
			UserPrincipal postgres = directory.getFileSystem().getUserPrincipalLookupService()
				.lookupPrincipalByName("postgres");
			Files.setOwner(directory, postgres);
		}
		Path data = directory.resolve("data");
		run(root, bin.resolve("initdb").toString(), "--auth=trust", "--username=" + USER, "--encoding=UTF8",
				"--no-sync", "-D", data.toString());
		int port = freePort();
		// fsync off: a test cluster need not survive a crash, and fsync dominates its run time
		Process server = command(root, bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
				String.valueOf(port), "-h", "127.0.0.1", "-k", directory.toString(), "-c", "fsync=off")
			.redirectErrorStream(true)
			.redirectOutput(directory.resolve("server.log").toFile())
			.start();
		PostgresServer started = new PostgresServer(bin, root, directory, server,
				"jdbc:postgresql://127.0.0.1:" + port + "/");
		try {
			started.awaitReady();
		}
		catch (RuntimeException | InterruptedException ex) {
			started.close();
			throw ex;
		}
		return started;
	}

	public HikariDataSource dataSource() {
		return dataSource("postgres");
	}

	public HikariDataSource dataSource(String database) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("postgres-" + database);
		config.setJdbcUrl(url(database));
		config.setUsername(USER);
		return new HikariDataSource(config);
	}

	public String url(String database) {
		return this.url + database;
	}

	/** An empty database, so that tests sharing one server do not see each other's rows. */
	public void createDatabase(String name) {
		try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "");
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("CREATE DATABASE " + name + ": " + ex.getMessage(), ex);
		}
	}

	private void awaitReady() throws InterruptedException {
		Instant deadline = Instant.now().plus(STARTUP);
		while (true) {
			try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "")) {
				return;
			}
			catch (SQLException ex) {
				if (!this.server.isAlive() || Instant.now().isAfter(deadline)) {
					throw new IllegalStateException("PostgreSQL did not start: " + log(), ex);
				}
				Thread.sleep(100);
			}
		}
	}

	@Override
	public void close() throws InterruptedException {
		// a fast shutdown, which ends the sessions of pools that are still open (a cached Spring
		// context's) instead of waiting for them as SIGTERM's smart shutdown would
		try {
			run(this.root, this.bin.resolve("pg_ctl").toString(), "stop", "-m", "fast", "-w", "-D",
					this.directory.resolve("data").toString());
		}
		catch (IOException | IllegalStateException ex) {
			this.server.destroyForcibly();
		}
		if (!this.server.waitFor(30, TimeUnit.SECONDS)) {
			this.server.destroyForcibly().waitFor();
		}
		try (Stream<Path> files = Files.walk(this.directory)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private String log() {
		try {
			return Files.readString(this.directory.resolve("server.log"));
		}
		catch (IOException ex) {
			return "(no server log: " + ex + ")";
		}
	}

	private static Path newestBinaries() throws IOException {
		if (!Files.isDirectory(VERSIONS)) {
			throw new IllegalStateException("PostgreSQL is not installed: apt-get install postgresql");
		}
		try (Stream<Path> versions = Files.list(VERSIONS)) {
			return versions.map(version -> version.resolve("bin"))
				.filter(bin -> Files.isExecutable(bin.resolve("postgres")))
				.max(Comparator.comparingInt(bin -> Integer.parseInt(bin.getParent().getFileName().toString())))
				.orElseThrow(() -> new IllegalStateException("no PostgreSQL server under " + VERSIONS));
		}
	}

	private static void run(boolean root, String... command) throws IOException, InterruptedException {
		Process process = command(root, command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (process.waitFor() != 0) {
			throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
		}
	}

	private static ProcessBuilder command(boolean root, String... command) {
		List<String> line = new ArrayList<>();
		if (root) {
			// setpriv execs the command itself, so destroying the process signals PostgreSQL directly
			line.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
		}
		line.addAll(List.of(command));
		// a working directory every user can enter: the build's may be closed to postgres
		return new ProcessBuilder(line).directory(Path.of("/").toFile());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
