package dev.berth.lifecycle.container;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.NotFoundException;
import dev.berth.lifecycle.container.Exec.ExecState;

/**
 * The container and exec records, containerd's metadata store. Names are unique by a database
 * constraint, so two concurrent creates with one name cannot both win, on one node or many.
 * Lookups accept what Docker accepts (full ID, name, unique ID prefix); the writes take the full
 * ID, which the caller got from a lookup.
 */
@Component
public class ContainerStore {

	private static final Pattern FULL_ID = Pattern.compile("[0-9a-f]{64}");

	// hex digits only, so a prefix can go into LIKE without escaping
	private static final Pattern ID_PREFIX = Pattern.compile("[0-9a-f]{1,63}");

	private static final Pattern ALL_DIGITS = Pattern.compile("[0-9]+");

	private static final int NAME_ATTEMPTS = 10;

	private static final String CONTAINER_COLUMNS = """
			id, name, image, image_id, node, created, config, host_config, networking_config, labels, auto_remove,
			status, pid, exit_code, error, started_at, finished_at, oom_killed, restart_count""";

	private static final String EXEC_COLUMNS = "id, container_id, config, running, exit_code, pid";

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final ContainerNames names;

	private final RandomGenerator idRandom = new SecureRandom();

	@Autowired
	public ContainerStore(DataSource dataSource) {
		this(dataSource, new ContainerNames(new SecureRandom()));
	}

	ContainerStore(DataSource dataSource, ContainerNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.names = names;
	}

	/**
	 * Stores a new container in state {@code created}.
	 * @throws ConflictException when the name is taken
	 * @throws InvalidArgumentException when the name breaks Docker's pattern or a typed field
	 * has the wrong type
	 */
	public Container create(NewContainer request) {
		ObjectNode config = orEmpty(request.config());
		ObjectNode hostConfig = orEmpty(request.hostConfig());
		ObjectNode networkingConfig = orEmpty(request.networkingConfig());
		// read the typed views once now, so a mistyped field fails the create, not a later inspect
		ContainerConfig typedConfig = DockerJson.view(config, ContainerConfig.class);
		HostConfig typedHostConfig = DockerJson.view(hostConfig, HostConfig.class);
		DockerJson.view(networkingConfig, NetworkingConfig.class);
		Map<String, String> labels = (typedConfig.labels() != null) ? Map.copyOf(typedConfig.labels()) : Map.of();
		String requestedName = (request.name() != null && !request.name().isEmpty())
				? ContainerNames.normalize(request.name()) : null;
		// Postgres keeps microseconds; truncating here makes the returned record equal the stored one
		Container container = new Container(newId(), "", request.image(), request.imageId(), request.node(),
				Instant.now().truncatedTo(ChronoUnit.MICROS), config, hostConfig, networkingConfig, labels,
				typedHostConfig.autoRemove(), ContainerState.created());
		for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
			String name = (requestedName != null) ? requestedName : this.names.generate(attempt);
			Container named = withName(container, name);
			try {
				insert(named);
				return named;
			}
			catch (DuplicateKeyException ex) {
				Optional<String> holder = idByName(name);
				if (requestedName != null && holder.isPresent()) {
					throw nameInUse(name, holder.get());
				}
				// a generated name collided, or the holder went away in between: try again
			}
		}
		throw new IllegalStateException("no free container name after " + NAME_ATTEMPTS + " attempts");
	}

	/**
	 * The container a client means by {@code reference}, resolved as Docker does: full ID, then
	 * name (with or without {@code /}), then unique ID prefix.
	 * @throws NotFoundException {@code No such container: x}
	 * @throws InvalidArgumentException for an empty reference or an ambiguous prefix
	 */
	public Container get(String reference) {
		return find(reference).orElseThrow(() -> noSuchContainer(reference));
	}

	public Optional<Container> find(String reference) {
		if (reference == null || reference.isEmpty()) {
			throw new InvalidArgumentException("No container name or ID supplied");
		}
		if (FULL_ID.matcher(reference).matches()) {
			Optional<Container> byId = selectContainer("id = ?", reference);
			if (byId.isPresent()) {
				return byId;
			}
		}
		Optional<Container> byName = selectContainer("name = ?", ContainerNames.stripSlash(reference));
		if (byName.isPresent() || !ID_PREFIX.matcher(reference).matches()) {
			return byName;
		}
		List<Container> byPrefix = this.jdbc
			.sql("SELECT " + CONTAINER_COLUMNS + " FROM containers WHERE id LIKE ? FETCH FIRST 2 ROWS ONLY")
			.param(reference + "%")
			.query(this::container)
			.list();
		if (byPrefix.size() > 1) {
			throw new InvalidArgumentException("multiple IDs found with provided prefix: " + reference);
		}
		return byPrefix.stream().findFirst();
	}

	/** Every container, newest first, as {@code docker ps -a} lists them. */
	public List<Container> list() {
		return this.jdbc.sql("SELECT " + CONTAINER_COLUMNS + " FROM containers ORDER BY created DESC, id")
			.query(this::container)
			.list();
	}

	/**
	 * Applies {@code change} to the container's state in one transaction, with the row locked, so
	 * that concurrent transitions (an exit arriving during a stop) see each other's result.
	 */
	public Container updateState(String id, UnaryOperator<ContainerState> change) {
		return this.transactions.execute(tx -> {
			Container current = selectContainer("id = ? FOR UPDATE", id).orElseThrow(() -> noSuchContainer(id));
			ContainerState state = change.apply(current.state());
			this.jdbc.sql("""
					UPDATE containers SET status = ?, pid = ?, exit_code = ?, error = ?, started_at = ?,
					finished_at = ?, oom_killed = ?, restart_count = ? WHERE id = ?""")
				.params(state.status().wireName(), state.pid(), state.exitCode(), state.error(),
						timestamp(state.startedAt()), timestamp(state.finishedAt()), state.oomKilled(),
						state.restartCount(), id)
				.update();
			return new Container(current.id(), current.name(), current.image(), current.imageId(), current.node(),
					current.created(), current.configJson(), current.hostConfigJson(),
					current.networkingConfigJson(), current.labels(), current.autoRemove(), state);
		});
	}

	/** Replaces a container's Config: what create completes once the ID exists (the host name made of it). */
	public Container replaceConfig(String id, ObjectNode config) {
		DockerJson.view(config, ContainerConfig.class);
		return replaceJson(id, "config", config);
	}

	/** Replaces a container's HostConfig: what {@code docker update} changes. */
	public Container replaceHostConfig(String id, ObjectNode hostConfig) {
		DockerJson.view(hostConfig, HostConfig.class);
		return replaceJson(id, "host_config", hostConfig);
	}

	/** @param column one of the JSON columns, never a client's text */
	private Container replaceJson(String id, String column, ObjectNode json) {
		if (this.jdbc.sql("UPDATE containers SET " + column + " = ? WHERE id = ?").params(DockerJson.write(json), id)
			.update() == 0) {
			throw noSuchContainer(id);
		}
		return get(id);
	}

	/** Records whether the container's user stopped it (restart policies read this). */
	public void setManuallyStopped(String id, boolean stopped) {
		this.jdbc.sql("UPDATE containers SET manually_stopped = ? WHERE id = ?").params(stopped, id).update();
	}

	public boolean manuallyStopped(String id) {
		return this.jdbc.sql("SELECT manually_stopped FROM containers WHERE id = ?")
			.param(id)
			.query(Boolean.class)
			.optional()
			.orElse(false);
	}

	/**
	 * Docker's rename, with its errors.
	 * @throws ConflictException when another container holds the name
	 */
	public Container rename(String id, String newName) {
		if (newName == null || newName.isEmpty() || newName.equals("/")) {
			throw new InvalidArgumentException("Neither old nor new names may be empty");
		}
		String name = ContainerNames.normalize(newName);
		for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
			try {
				return this.transactions.execute(tx -> {
					Container current = selectContainer("id = ? FOR UPDATE", id)
						.orElseThrow(() -> noSuchContainer(id));
					if (current.name().equals(name)) {
						throw new InvalidArgumentException(
								"Renaming a container with the same name as its current name");
					}
					this.jdbc.sql("UPDATE containers SET name = ? WHERE id = ?").params(name, id).update();
					return withName(current, name);
				});
			}
			catch (DuplicateKeyException ex) {
				// looked up after the rollback: on PostgreSQL the failed statement ended the transaction
				Optional<String> holder = idByName(name);
				if (holder.isPresent()) {
					throw nameInUse(name, holder.get());
				}
			}
		}
		throw new IllegalStateException("rename of " + id + " kept colliding with containers that went away");
	}

	/** Removes the record and its execs. */
	public void delete(String id) {
		if (this.jdbc.sql("DELETE FROM containers WHERE id = ?").param(id).update() == 0) {
			throw noSuchContainer(id);
		}
	}

	/** Stores a new exec instance of a container, not yet started. */
	public Exec createExec(String containerId, ObjectNode config) {
		ObjectNode json = orEmpty(config);
		DockerJson.view(json, ExecConfig.class);
		Exec exec = new Exec(newId(), containerId, json, ExecState.CREATED);
		try {
			this.jdbc.sql("INSERT INTO execs (" + EXEC_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")
				.params(exec.id(), containerId, DockerJson.write(json), false, null, 0)
				.update();
		}
		catch (DataIntegrityViolationException ex) {
			// the foreign key: the container is gone
			throw noSuchContainer(containerId);
		}
		return exec;
	}

	/** @throws NotFoundException {@code No such exec instance: x} (Docker looks execs up by full ID only) */
	public Exec getExec(String id) {
		return this.jdbc.sql("SELECT " + EXEC_COLUMNS + " FROM execs WHERE id = ?")
			.param(id)
			.query(this::exec)
			.optional()
			.orElseThrow(() -> noSuchExec(id));
	}

	public List<Exec> listExecs(String containerId) {
		return this.jdbc.sql("SELECT " + EXEC_COLUMNS + " FROM execs WHERE container_id = ? ORDER BY id")
			.param(containerId)
			.query(this::exec)
			.list();
	}

	public Exec updateExec(String id, UnaryOperator<ExecState> change) {
		return this.transactions.execute(tx -> {
			Exec current = this.jdbc.sql("SELECT " + EXEC_COLUMNS + " FROM execs WHERE id = ? FOR UPDATE")
				.param(id)
				.query(this::exec)
				.optional()
				.orElseThrow(() -> noSuchExec(id));
			ExecState state = change.apply(current.state());
			this.jdbc.sql("UPDATE execs SET running = ?, exit_code = ?, pid = ? WHERE id = ?")
				.params(state.running(), state.exitCode(), state.pid(), id)
				.update();
			return new Exec(id, current.containerId(), current.configJson(), state);
		});
	}

	public void deleteExec(String id) {
		if (this.jdbc.sql("DELETE FROM execs WHERE id = ?").param(id).update() == 0) {
			throw noSuchExec(id);
		}
	}

	private void insert(Container container) {
		ContainerState state = container.state();
		this.jdbc.sql("INSERT INTO containers (" + CONTAINER_COLUMNS
				+ ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(container.id(), container.name(), container.image(), container.imageId(), container.node(),
					timestamp(container.created()), DockerJson.write(container.configJson()),
					DockerJson.write(container.hostConfigJson()), DockerJson.write(container.networkingConfigJson()),
					DockerJson.write(container.labels()), container.autoRemove(), state.status().wireName(),
					state.pid(), state.exitCode(), state.error(), timestamp(state.startedAt()),
					timestamp(state.finishedAt()), state.oomKilled(), state.restartCount())
			.update();
	}

	private Optional<Container> selectContainer(String where, String value) {
		return this.jdbc.sql("SELECT " + CONTAINER_COLUMNS + " FROM containers WHERE " + where)
			.param(value)
			.query(this::container)
			.optional();
	}

	private Optional<String> idByName(String name) {
		return this.jdbc.sql("SELECT id FROM containers WHERE name = ?").param(name).query(String.class).optional();
	}

	private Container container(ResultSet row, int rowNumber) throws SQLException {
		Map<String, String> labels = DockerJson.parseStringMap(row.getString("labels"));
		ContainerState state = new ContainerState(ContainerStatus.ofWireName(row.getString("status")),
				row.getInt("pid"), row.getInt("exit_code"), row.getString("error"), instant(row, "started_at"),
				instant(row, "finished_at"), row.getBoolean("oom_killed"), row.getInt("restart_count"));
		return new Container(row.getString("id"), row.getString("name"), row.getString("image"),
				row.getString("image_id"), row.getString("node"), instant(row, "created"),
				DockerJson.parseObject(row.getString("config")), DockerJson.parseObject(row.getString("host_config")),
				DockerJson.parseObject(row.getString("networking_config")), labels, row.getBoolean("auto_remove"),
				state);
	}

	private Exec exec(ResultSet row, int rowNumber) throws SQLException {
		int exitCode = row.getInt("exit_code");
		Integer exitCodeOrNull = row.wasNull() ? null : exitCode;
		return new Exec(row.getString("id"), row.getString("container_id"),
				DockerJson.parseObject(row.getString("config")),
				new ExecState(row.getBoolean("running"), exitCodeOrNull, row.getInt("pid")));
	}

	/**
	 * 64 random hex digits, as Docker's IDs. Like Docker, never one whose 12-digit short form is
	 * all digits, which tools would read as a number.
	 */
	private String newId() {
		byte[] bytes = new byte[32];
		String id;
		do {
			this.idRandom.nextBytes(bytes);
			id = HexFormat.of().formatHex(bytes);
		}
		while (ALL_DIGITS.matcher(id.substring(0, 12)).matches());
		return id;
	}

	private static Container withName(Container container, String name) {
		return new Container(container.id(), name, container.image(), container.imageId(), container.node(),
				container.created(), container.configJson(), container.hostConfigJson(),
				container.networkingConfigJson(), container.labels(), container.autoRemove(), container.state());
	}

	private static ObjectNode orEmpty(ObjectNode json) {
		return (json != null) ? json : DockerJson.emptyObject();
	}

	private static OffsetDateTime timestamp(Instant instant) {
		return (instant != null) ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC) : null;
	}

	private static Instant instant(ResultSet row, String column) throws SQLException {
		OffsetDateTime time = row.getObject(column, OffsetDateTime.class);
		return (time != null) ? time.toInstant() : null;
	}

	private static ConflictException nameInUse(String name, String holderId) {
		return new ConflictException("Conflict. The container name \"/" + name + "\" is already in use by container \""
				+ holderId + "\". You have to remove (or rename) that container to be able to reuse that name.");
	}

	private static NotFoundException noSuchContainer(String reference) {
		return new NotFoundException("No such container: " + reference);
	}

	private static NotFoundException noSuchExec(String id) {
		return new NotFoundException("No such exec instance: " + id);
	}

}
