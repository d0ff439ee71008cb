package dev.berth.engine.image;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --change} instructions. The expected configs are what dockerd 20.10 made of the same
 * changes ({@code docker import -c … -} followed by {@code docker image inspect -f '{{json
 * .Config}}'}), written down from a run on these machines.
 */
class ConfigChangesTests {

	private static ObjectNode apply(String... changes) {
		ObjectNode config = TestArchives.JSON.createObjectNode();
		ConfigChanges.apply(List.of(changes), config);
		return config;
	}

	private static JsonNode json(String text) {
		return TestArchives.JSON.readTree(text);
	}

	@Test
	void changesApplyInOrderAsDockerd2010AppliesThem() {
		ObjectNode config = apply("ENV A=1 B=\"two words\"", "ENV C=$A", "ENV D ${A:-x} $B", "CMD echo hi",
				"ENTRYPOINT [\"/bin/sh\"]", "WORKDIR app", "WORKDIR sub", "EXPOSE 80 53/udp 8000-8001", "USER nobody",
				"LABEL a=b \"c d\"=e", "VOLUME /data /x");
		assertThat(config).isEqualTo(json("""
				{"User":"nobody","ExposedPorts":{"53/udp":{},"80/tcp":{},"8000/tcp":{},"8001/tcp":{}},
				 "Env":["A=1","B=two words","C=1","D=1 two words"],"Entrypoint":["/bin/sh"],
				 "Cmd":["/bin/sh","-c","echo hi"],"Volumes":{"/data":{},"/x":{}},"WorkingDir":"/app/sub",
				 "Labels":{"a":"b","c d":"e"}}"""));
	}

	@Test
	void anEntrypointKeepsACmdGivenBeforeItAndClearsAnInheritedOne() {
		assertThat(apply("CMD [\"a\"]", "ENTRYPOINT x")).isEqualTo(json("""
				{"Cmd":["a"],"Entrypoint":["/bin/sh","-c","x"]}"""));
		ObjectNode inherited = (ObjectNode) json("{\"Cmd\":[\"sh\"]}");
		ConfigChanges.apply(List.of("ENTRYPOINT [\"/init\"]"), inherited);
		assertThat(inherited).isEqualTo(json("{\"Cmd\":null,\"Entrypoint\":[\"/init\"]}"));
	}

	@Test
	void oldFormsAndTheRestOfTheInstructions() {
		assertThat(apply("ONBUILD RUN x", "VOLUME [\"/v\"]", "LABEL old style")).isEqualTo(json("""
				{"Volumes":{"/v":{}},"Labels":{"old":"style"},"OnBuild":["RUN x"]}"""));
		assertThat(apply("stopsignal SIGUSR1").path("StopSignal").asString()).isEqualTo("SIGUSR1");
		assertThat(apply("STOPSIGNAL 9").path("StopSignal").asString()).isEqualTo("9");
		assertThat(apply("STOPSIGNAL RTMIN+3").path("StopSignal").asString()).isEqualTo("RTMIN+3");
		assertThat(apply("ENV HOME=/root", "WORKDIR $HOME/app", "USER ${NOBODY:-65534}")).isEqualTo(json("""
				{"Env":["HOME=/root"],"WorkingDir":"/root/app","User":"65534"}"""));
		assertThat(apply("LABEL 'single $quoted'=\"\\$literal\"").path("Labels").path("single $quoted").asString())
			.isEqualTo("$literal");
		assertThat(apply("ENV PATH=/bin", "ENV PATH=/usr/bin:$PATH").path("Env")).isEqualTo(json("[\"PATH=/usr/bin:/bin\"]"));
		assertThat(apply("CMD echo \\\n  continued").path("Cmd")).isEqualTo(json("[\"/bin/sh\",\"-c\",\"echo continued\"]"));
	}

	@Test
	void mistakesAreRefusedInDockersWords() {
		assertThatThrownBy(() -> apply("RUN x")).isInstanceOf(IllegalArgumentException.class)
			.hasMessage("run is not a valid change command");
		assertThatThrownBy(() -> apply("ENV")).hasMessage("ENV requires at least one argument");
		assertThatThrownBy(() -> apply("ENV a")).hasMessage("ENV must have two arguments");
		assertThatThrownBy(() -> apply("ENV a=1 b")).hasMessage("Syntax error - can't find = in \"b\". Must be of the form: name=value");
		assertThatThrownBy(() -> apply("EXPOSE abc")).hasMessage("Invalid containerPort: abc");
		assertThatThrownBy(() -> apply("EXPOSE 80/xyz")).hasMessage("Invalid proto: xyz");
		assertThatThrownBy(() -> apply("STOPSIGNAL SIGNOPE")).hasMessage("Invalid signal: SIGNOPE");
		assertThatThrownBy(() -> apply("WORKDIR a b")).hasMessage("WORKDIR requires exactly one argument");
		assertThatThrownBy(() -> apply("ONBUILD ONBUILD RUN x")).hasMessage("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
		assertThatThrownBy(() -> apply("LABEL a=\"unterminated")).hasMessageContaining("looking for matching");
		assertThatThrownBy(() -> apply("HEALTHCHECK NONE")).hasMessage("healthcheck is not supported as a change command yet");
	}

}
