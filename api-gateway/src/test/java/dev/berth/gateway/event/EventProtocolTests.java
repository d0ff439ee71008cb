package dev.berth.gateway.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.berth.contracts.lifecycle.v1.Event;
import dev.berth.contracts.lifecycle.v1.EventServiceGrpc;
import dev.berth.contracts.lifecycle.v1.FilterValues;
import dev.berth.contracts.lifecycle.v1.SubscribeRequest;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.ScriptedLifecycle;
import dev.berth.gateway.testing.UnixHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /events} over the gateway's unix socket, with a scripted lifecycle-service: the subscription's bounds
 * and filters, and each event as dockerd writes it, legacy fields included; then the real CLI's view of them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class EventProtocolTests {

	private static final Path DIRECTORY = temporaryDirectory();

	private static final Path SOCKET = DIRECTORY.resolve("docker.sock");

	private static final ScriptedLifecycle lifecycle = ScriptedLifecycle.start();

	private static final long TIME = 1_795_898_303_877_816_636L;

	private final UnixHttp http = new UnixHttp(SOCKET);

	@DynamicPropertySource
	static void gateway(DynamicPropertyRegistry properties) {
		properties.add("berth.gateway.hosts", () -> "unix://" + SOCKET);
		properties.add("berth.gateway.lifecycle", lifecycle::address);
		lifecycle.serverStream(EventServiceGrpc.getSubscribeMethod(), (request, events) -> {
			events.onNext(Event.newBuilder()
				.setType("container")
				.setAction("start")
				.setActorId("11e2d343")
				.putAttributes("name", "w1")
				.putAttributes("image", "bb")
				.setScope("local")
				.setTimeUnixNano(TIME)
				.build());
			events.onNext(Event.newBuilder()
				.setType("network")
				.setAction("connect")
				.setActorId("b5b8d7df")
				.putAttributes("container", "11e2d343")
				.setScope("local")
				.setTimeUnixNano(TIME + 1)
				.build());
			// a commit's image, which API 1.46 brought to the stream
			events.onNext(Event.newBuilder()
				.setType("image")
				.setAction("create")
				.setActorId("sha256:c0ffee")
				.putAttributes("name", "sha256:c0ffee")
				.setScope("local")
				.setTimeUnixNano(TIME + 2)
				.build());
			events.onCompleted();
		});
	}

	@AfterAll
	static void stop() throws InterruptedException {
		try {
			lifecycle.close();
		}
		finally {
			Commands.deleteRecursively(DIRECTORY);
		}
	}

	@BeforeEach
	void forgetTheLastTest() {
		lifecycle.forgetRequests();
	}

	@Test
	void eventsAreDockersLinesWithTheLegacyFieldsOfContainersAndImages() throws Exception {
		UnixHttp.Response events = this.http.get("/v1.50/events?since=1795898300&until=2026-11-28T20:38:30Z&filters="
				+ URLEncoder.encode("{\"type\":{\"container\":true}}", StandardCharsets.UTF_8));
		assertThat(events.status()).isEqualTo(200);
		assertThat(events.headers().get("content-type")).isEqualTo("application/json");
		// checked against dockerd 20.10's lines for the same events
		assertThat(events.text()).isEqualTo("""
				{"status":"start","id":"11e2d343","from":"bb","Type":"container","Action":"start","Actor":{"ID":"11e2d343","Attributes":{"image":"bb","name":"w1"}},"scope":"local","time":1795898303,"timeNano":1795898303877816636}
				{"Type":"network","Action":"connect","Actor":{"ID":"b5b8d7df","Attributes":{"container":"11e2d343"}},"scope":"local","time":1795898303,"timeNano":1795898303877816637}
				{"status":"create","id":"sha256:c0ffee","Type":"image","Action":"create","Actor":{"ID":"sha256:c0ffee","Attributes":{"name":"sha256:c0ffee"}},"scope":"local","time":1795898303,"timeNano":1795898303877816638}
				""");
		SubscribeRequest request = (SubscribeRequest) lifecycle.nextRequest();
		assertThat(request.getSinceUnixNano()).isEqualTo(1_795_898_300_000_000_000L);
		assertThat(request.getUntilUnixNano()).isEqualTo(1_795_898_310_000_000_000L);
		assertThat(request.getFiltersMap()).containsEntry("type", FilterValues.newBuilder().addValues("container").build());
	}

	@Test
	void theCliPrintsTheEvents() {
		String out = Commands.docker(SOCKET, DIRECTORY, "events", "--since", "1795898300", "--until", "1795898310",
				"--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}")
			.ok();
		assertThat(out).isEqualTo("container start 11e2d343 w1\nnetwork connect b5b8d7df <no value>\n"
				+ "image create sha256:c0ffee sha256:c0ffee\n");
	}

	@Test
	void clientsOlderThanApi146SeeNoImageCreate() throws Exception {
		UnixHttp.Response events = this.http.get("/v1.45/events?since=1795898300&until=1795898310");
		assertThat(events.status()).isEqualTo(200);
		assertThat(events.text()).contains("\"Action\":\"connect\"").doesNotContain("\"Action\":\"create\"");
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("berth-gateway-events-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
