package dev.berth.lifecycle.container;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.NotFoundException;
import dev.berth.lifecycle.container.Exec.ExecState;

import static dev.berth.lifecycle.container.StoreFixture.busybox;
import static dev.berth.lifecycle.container.StoreFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What a {@link ContainerStore} must do on every database it runs on, as containerd keeps one
 * test suite per pluggable store. Each test starts from an empty database.
 */
abstract class ContainerStoreContract {

	StoreFixture fixture;

	ContainerStore store;

	@BeforeEach
	void open() {
		reopen();
	}

	@AfterEach
	void close() {
		this.fixture.close();
	}

	private void reopen() {
		if (this.fixture != null) {
			this.fixture.close();
		}
		this.fixture = StoreFixture.migrate(openDatabase());
		this.store = this.fixture.store;
	}

	/** A new pool over this test's database: empty on the first call, the same database after. */
	abstract HikariDataSource openDatabase();

	@Test
	void createStoresWhatTheClientSentIncludingFieldsThisEngineDoesNotKnow() {
		Container created = this.store.create(new NewContainer("/web", "busybox", "sha256:" + "cd".repeat(32), "node-1",
				json("""
						{"Image":"busybox","Cmd":"echo hi","Labels":{"tier":"front"},"StopTimeout":3,
						 "FromTheFuture":{"x":1}}"""),
				json("""
						{"AutoRemove":true,"Memory":1048576,"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2},
						 "PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},"PidsLimit":null}"""),
				json("{\"EndpointsConfig\":{\"front\":{\"Aliases\":[\"web\"]}}}")));

		assertThat(created.id()).matches("[0-9a-f]{64}");
		assertThat(created.name()).isEqualTo("web");
		assertThat(created.state()).isEqualTo(ContainerState.created());
		assertThat(created.labels()).isEqualTo(Map.of("tier", "front"));
		assertThat(created.autoRemove()).isTrue();
		assertThat(created.config().cmd()).containsExactly("echo hi");
		assertThat(created.config().stopTimeout()).isEqualTo(3);
		assertThat(created.hostConfig().restartPolicy()).isEqualTo(new HostConfig.RestartPolicy("on-failure", 2));
		assertThat(created.hostConfig().portBindings().get("80/tcp"))
			.containsExactly(new HostConfig.PortBinding("", "8080"));
		assertThat(created.hostConfig().pidsLimit()).isNull();
		assertThat(created.networkingConfig().endpointsConfig().get("front").aliases()).containsExactly("web");
		assertThat(this.store.get(created.id())).isEqualTo(created);
		assertThat(this.store.get(created.id()).configJson().get("FromTheFuture").get("x").asInt()).isEqualTo(1);
	}

	@Test
	void absentObjectsAreStoredAsEmptyOnes() {
		Container created = this.store.create(new NewContainer("bare", "busybox", "sha256:" + "ef".repeat(32), "local",
				null, null, null));

		assertThat(this.store.get("bare").configJson().isEmpty()).isTrue();
		assertThat(created.config().cmd()).isNull();
		assertThat(created.hostConfig().autoRemove()).isFalse();
		assertThat(created.labels()).isEmpty();
	}

	@Test
	void aFieldOfTheWrongTypeIsTheClientsError() {
		NewContainer request = new NewContainer("x1", "busybox", "sha256:" + "ab".repeat(32), "local", json("{}"),
				json("{\"Memory\":\"lots\"}"), json("{}"));

		assertThatExceptionOfType(InvalidArgumentException.class).isThrownBy(() -> this.store.create(request))
			.withMessageStartingWith("HostConfig: ");
		assertThat(this.store.list()).isEmpty();
	}

	@Test
	void recordsAndNamesSurviveReopeningTheStore() {
		Container created = this.store.create(busybox("keeper"));
		Container running = this.store.updateState(created.id(), state -> new ContainerState(ContainerStatus.RUNNING,
				4242, 0, "", Instant.now().truncatedTo(ChronoUnit.MICROS), null, false, 1));

		reopen();

		assertThat(this.store.get("/keeper")).isEqualTo(running);
		assertThatExceptionOfType(ConflictException.class).isThrownBy(() -> this.store.create(busybox("keeper")));
	}

	@Test
	void aTakenNameIsDockersConflict() {
		Container first = this.store.create(busybox("web"));

		assertThatExceptionOfType(ConflictException.class).isThrownBy(() -> this.store.create(busybox("/web")))
			.withMessage("Conflict. The container name \"/web\" is already in use by container \"" + first.id()
					+ "\". You have to remove (or rename) that container to be able to reuse that name.");
		assertThat(this.store.list()).hasSize(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "a", "/a", "-web", "_web", ".web", "web app", "web/app", "wéb", "//web" })
	void namesOutsideDockersPatternAreRejectedInItsWords(String name) {
		assertThatExceptionOfType(InvalidArgumentException.class).isThrownBy(() -> this.store.create(busybox(name)))
			.withMessage("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
	}

	@ParameterizedTest
	@ValueSource(strings = { "ab", "9lives", "web-1", "web_1", "web.1", "Web", "/db" })
	void namesInsideDockersPatternAreAccepted(String name) {
		assertThat(this.store.create(busybox(name)).name()).isEqualTo(ContainerNames.stripSlash(name));
	}

	@Test
	void containersWithoutANameGetAnAdjectiveAndASurname() {
		Container created = this.store.create(busybox(null));
		Container alsoUnnamed = this.store.create(busybox(""));

		assertThat(created.name()).matches("[a-z]+_[a-z]+");
		assertThat(alsoUnnamed.name()).matches("[a-z]+_[a-z]+").isNotEqualTo(created.name());
	}

	@Test
	void aGeneratedNameThatIsTakenIsDrawnAgain() {
		// two stores that draw the same names: the second's first draw is the first's name
		ContainerStore first = new ContainerStore(this.fixture.dataSource, new ContainerNames(new Random(7)));
		ContainerStore second = new ContainerStore(this.fixture.dataSource, new ContainerNames(new Random(7)));

		Container taken = first.create(busybox(null));
		Container drawnAgain = second.create(busybox(null));

		assertThat(taken.name()).isEqualTo(new ContainerNames(new Random(7)).generate(0));
		assertThat(drawnAgain.name()).matches("[a-z]+_[a-z]+").isNotEqualTo(taken.name());
	}

	@Test
	void containersAreFoundByIdByNameWithOrWithoutSlashAndByUniquePrefix() {
		Container web = this.store.create(busybox("web"));

		assertThat(this.store.get(web.id())).isEqualTo(web);
		assertThat(this.store.get("web")).isEqualTo(web);
		assertThat(this.store.get("/web")).isEqualTo(web);
		assertThat(this.store.get(web.id().substring(0, 12))).isEqualTo(web);
		assertThat(this.store.get(web.id().substring(0, 1))).isEqualTo(web);
	}

	@Test
	void aNameWinsOverAnIdPrefix() {
		Container target = this.store.create(busybox(null));
		String prefix = target.id().substring(0, 6);
		Container named = this.store.create(busybox(prefix));

		assertThat(this.store.get(prefix)).isEqualTo(named);
		assertThat(this.store.get(target.id().substring(0, 7))).isEqualTo(target);
	}

	@Test
	void anAmbiguousPrefixIsDockersError() {
		// 17 IDs over 16 hex digits: at least two share their first digit
		List<Container> containers = new ArrayList<>();
		for (int i = 0; i < 17; i++) {
			containers.add(this.store.create(busybox("c" + i)));
		}
		Map<String, Long> byFirstDigit = containers.stream()
			.collect(Collectors.groupingBy(container -> container.id().substring(0, 1), Collectors.counting()));
		String shared = byFirstDigit.entrySet().stream().filter(entry -> entry.getValue() > 1).findFirst().orElseThrow()
			.getKey();

		assertThatExceptionOfType(InvalidArgumentException.class).isThrownBy(() -> this.store.get(shared))
			.withMessage("multiple IDs found with provided prefix: " + shared);
	}

	@ParameterizedTest
	@ValueSource(strings = { "nope", "/nope", "0000000000000000000000000000000000000000000000000000000000000000",
			"ABC", "a%", "_" })
	void anUnknownReferenceIsDockersNotFound(String reference) {
		this.store.create(busybox("web"));

		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> this.store.get(reference))
			.withMessage("No such container: " + reference);
		assertThat(this.store.find(reference)).isEmpty();
	}

	@Test
	void anEmptyReferenceIsRejected() {
		assertThatExceptionOfType(InvalidArgumentException.class).isThrownBy(() -> this.store.get(""))
			.withMessage("No container name or ID supplied");
	}

	@Test
	void theListIsNewestFirst() throws InterruptedException {
		Container older = this.store.create(busybox("older"));
		Thread.sleep(2);
		Container newer = this.store.create(busybox("newer"));

		assertThat(this.store.list()).containsExactly(newer, older);
	}

	@Test
	void stateChangesAreStored() {
		Container created = this.store.create(busybox("job"));
		Instant started = Instant.parse("2026-11-28T10:00:00.123456Z");
		Instant finished = Instant.parse("2026-11-28T10:00:05Z");

		Container exited = this.store.updateState(created.id(),
				state -> new ContainerState(ContainerStatus.EXITED, 0, 137, "killed", started, finished, true, 2));

		assertThat(exited.state())
			.isEqualTo(new ContainerState(ContainerStatus.EXITED, 0, 137, "killed", started, finished, true, 2));
		assertThat(this.store.get("job")).isEqualTo(exited);
	}

	@Test
	void updatingAMissingContainerIsNotFound() {
		String id = "ab".repeat(32);

		assertThatExceptionOfType(NotFoundException.class)
			.isThrownBy(() -> this.store.updateState(id, state -> state))
			.withMessage("No such container: " + id);
	}

	@Test
	void renameMovesTheNameAndFreesTheOldOne() {
		Container web = this.store.create(busybox("web"));

		Container renamed = this.store.rename(web.id(), "/site");

		assertThat(renamed.name()).isEqualTo("site");
		assertThat(this.store.get("site")).isEqualTo(renamed);
		assertThat(this.store.find("web")).isEmpty();
		assertThat(this.store.create(busybox("web")).name()).isEqualTo("web");
	}

	@Test
	void configReplacedAfterCreateIsWhatLaterReadsSee() {
		Container web = this.store.create(busybox("web"));
		ObjectNode config = web.configJson().deepCopy();
		config.put("Hostname", web.id().substring(0, 12));

		Container replaced = this.store.replaceConfig(web.id(), config);

		assertThat(replaced.config().hostname()).isEqualTo(web.id().substring(0, 12));
		assertThat(this.store.get("web")).isEqualTo(replaced);
		assertThatExceptionOfType(NotFoundException.class)
			.isThrownBy(() -> this.store.replaceConfig("f".repeat(64), config));
	}

	@Test
	void renameToATakenNameIsDockersConflict() {
		Container web = this.store.create(busybox("web"));
		Container db = this.store.create(busybox("db"));

		assertThatExceptionOfType(ConflictException.class).isThrownBy(() -> this.store.rename(web.id(), "db"))
			.withMessage("Conflict. The container name \"/db\" is already in use by container \"" + db.id()
					+ "\". You have to remove (or rename) that container to be able to reuse that name.");
		assertThat(this.store.get(web.id()).name()).isEqualTo("web");
	}

	@Test
	void renameFollowsDockersOtherRules() {
		Container web = this.store.create(busybox("web"));

		assertThatExceptionOfType(InvalidArgumentException.class).isThrownBy(() -> this.store.rename(web.id(), "web"))
			.withMessage("Renaming a container with the same name as its current name");
		assertThatExceptionOfType(InvalidArgumentException.class).isThrownBy(() -> this.store.rename(web.id(), ""))
			.withMessage("Neither old nor new names may be empty");
		assertThatExceptionOfType(InvalidArgumentException.class).isThrownBy(() -> this.store.rename(web.id(), "-x"))
			.withMessage("Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
		assertThatExceptionOfType(NotFoundException.class)
			.isThrownBy(() -> this.store.rename("cd".repeat(32), "other"));
	}

	@Test
	void deleteRemovesTheContainerItsExecsAndFreesItsName() {
		Container web = this.store.create(busybox("web"));
		Exec exec = this.store.createExec(web.id(), json("{\"Cmd\":[\"ls\"]}"));

		this.store.delete(web.id());

		assertThat(this.store.find(web.id())).isEmpty();
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> this.store.getExec(exec.id()));
		assertThat(this.store.create(busybox("web")).id()).isNotEqualTo(web.id());
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> this.store.delete(web.id()))
			.withMessage("No such container: " + web.id());
	}

	@Test
	void execsAreStoredUpdatedAndDeleted() {
		Container web = this.store.create(busybox("web"));
		Exec exec = this.store.createExec(web.id(),
				json("{\"Cmd\":\"sh\",\"Tty\":true,\"AttachStdin\":true,\"FromTheFuture\":1}"));

		assertThat(exec.id()).matches("[0-9a-f]{64}");
		assertThat(exec.state()).isEqualTo(new ExecState(false, null, 0));
		assertThat(exec.config().cmd()).containsExactly("sh");
		assertThat(exec.config().tty()).isTrue();
		assertThat(this.store.getExec(exec.id())).isEqualTo(exec);

		Exec running = this.store.updateExec(exec.id(), state -> new ExecState(true, null, 99));
		Exec exited = this.store.updateExec(exec.id(), state -> new ExecState(false, 3, state.pid()));
		reopen();

		assertThat(running.state()).isEqualTo(new ExecState(true, null, 99));
		assertThat(this.store.getExec(exec.id())).isEqualTo(exited);
		assertThat(exited.state()).isEqualTo(new ExecState(false, 3, 99));
		assertThat(this.store.listExecs(web.id())).containsExactly(exited);
		assertThat(exited.configJson().get("FromTheFuture").asInt()).isEqualTo(1);

		this.store.deleteExec(exec.id());
		assertThat(this.store.listExecs(web.id())).isEmpty();
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> this.store.deleteExec(exec.id()))
			.withMessage("No such exec instance: " + exec.id());
	}

	@Test
	void anExecOfAMissingContainerIsNotFound() {
		String id = "ef".repeat(32);

		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> this.store.createExec(id, json("{}")))
			.withMessage("No such container: " + id);
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> this.store.getExec("nope"))
			.withMessage("No such exec instance: nope");
	}

	@Test
	void ofConcurrentCreatesWithOneNameExactlyOneWins() throws Exception {
		int contenders = 16;
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Container>> results = new ArrayList<>();
		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < contenders; i++) {
				Callable<Container> create = () -> {
					go.await();
					return this.store.create(busybox("contested"));
				};
				results.add(threads.submit(create));
			}
			go.countDown();
		}
		List<Container> winners = new ArrayList<>();
		List<Throwable> losers = new ArrayList<>();
		for (Future<Container> result : results) {
			try {
				winners.add(result.get());
			}
			catch (ExecutionException ex) {
				losers.add(ex.getCause());
			}
		}

		assertThat(winners).hasSize(1);
		assertThat(losers).hasSize(contenders - 1)
			.allSatisfy(loser -> assertThat(loser).isInstanceOf(ConflictException.class)
				.hasMessageContaining("by container \"" + winners.getFirst().id() + "\""));
		assertThat(this.store.list()).containsExactly(winners.getFirst());
	}

}
