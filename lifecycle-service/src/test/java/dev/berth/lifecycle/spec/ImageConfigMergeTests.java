package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.json;
import static dev.berth.lifecycle.spec.SpecFixtures.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;

class ImageConfigMergeTests {

	private static final ObjectNode IMAGE = json("""
			{'architecture': 'amd64', 'os': 'linux', 'config': {
				'User': 'app', 'WorkingDir': '/srv', 'StopSignal': 'SIGQUIT',
				'Env': ['PATH=/image/bin', 'LANG=C.UTF-8'],
				'Entrypoint': ['/entry.sh'], 'Cmd': ['serve', '--port', '80'],
				'ExposedPorts': {'80/tcp': {}}, 'Volumes': {'/data': {}},
				'Labels': {'maintainer': 'image', 'tier': 'image'},
				'Healthcheck': {'Test': ['CMD', 'true'], 'Interval': 30000000000, 'Retries': 3},
				'OnBuild': ['RUN make'], 'Shell': ['/bin/bash', '-c']},
			 'rootfs': {'type': 'layers', 'diff_ids': []}}""");

	@Test
	void anEmptyConfigTakesEverythingDockerMergesFromTheImage() {
		ObjectNode merged = ImageConfigMerge.merge(json("{'Image': 'app'}"), IMAGE);
		assertThat(merged.get("User").asString()).isEqualTo("app");
		assertThat(merged.get("WorkingDir").asString()).isEqualTo("/srv");
		assertThat(merged.get("StopSignal").asString()).isEqualTo("SIGQUIT");
		assertThat(strings(merged.get("Env"))).containsExactly("PATH=/image/bin", "LANG=C.UTF-8");
		assertThat(strings(merged.get("Entrypoint"))).containsExactly("/entry.sh");
		assertThat(strings(merged.get("Cmd"))).containsExactly("serve", "--port", "80");
		assertThat(merged.get("ExposedPorts").has("80/tcp")).isTrue();
		assertThat(merged.get("Volumes").has("/data")).isTrue();
		assertThat(merged.get("Labels").get("maintainer").asString()).isEqualTo("image");
		assertThat(merged.get("Healthcheck").get("Retries").asInt()).isEqualTo(3);
		// dockerd merges neither OnBuild nor Shell into a container's Config
		assertThat(merged.has("OnBuild")).isFalse();
		assertThat(merged.has("Shell")).isFalse();
	}

	@Test
	void theContainersValuesWinKeyByKey() {
		ObjectNode merged = ImageConfigMerge.merge(json("""
				{'User': 'root', 'WorkingDir': '/tmp', 'Env': ['LANG=de_DE.UTF-8', 'DEBUG=1'],
				 'Labels': {'tier': 'web'}, 'ExposedPorts': {'443/tcp': {}}, 'Volumes': {'/cache': {}}}"""), IMAGE);
		assertThat(merged.get("User").asString()).isEqualTo("root");
		assertThat(merged.get("WorkingDir").asString()).isEqualTo("/tmp");
		// the container's variables first, then the image's it does not set
		assertThat(strings(merged.get("Env"))).containsExactly("LANG=de_DE.UTF-8", "DEBUG=1", "PATH=/image/bin");
		assertThat(merged.get("Labels").get("tier").asString()).isEqualTo("web");
		assertThat(merged.get("Labels").get("maintainer").asString()).isEqualTo("image");
		assertThat(merged.get("ExposedPorts").propertyNames()).containsExactlyInAnyOrder("443/tcp", "80/tcp");
		assertThat(merged.get("Volumes").propertyNames()).containsExactlyInAnyOrder("/cache", "/data");
	}

	@Test
	void anEntrypointOfTheContainersOwnDropsTheImagesCmd() {
		ObjectNode merged = ImageConfigMerge.merge(json("{'Entrypoint': ['/bin/sh']}"), IMAGE);
		assertThat(strings(merged.get("Entrypoint"))).containsExactly("/bin/sh");
		assertThat(merged.hasNonNull("Cmd")).isFalse();
	}

	@Test
	void aCmdOfTheContainersOwnKeepsTheImagesEntrypoint() {
		ObjectNode merged = ImageConfigMerge.merge(json("{'Cmd': ['version']}"), IMAGE);
		assertThat(strings(merged.get("Entrypoint"))).containsExactly("/entry.sh");
		assertThat(strings(merged.get("Cmd"))).containsExactly("version");
	}

	@Test
	void anEmptyEntrypointClearsTheImagesAndRunsTheCmd() {
		// docker run --entrypoint "" app ls sends [""]
		ObjectNode merged = ImageConfigMerge.merge(json("{'Entrypoint': [''], 'Cmd': ['ls']}"), IMAGE);
		assertThat(merged.get("Entrypoint").isNull()).isTrue();
		assertThat(strings(merged.get("Cmd"))).containsExactly("ls");
	}

	@Test
	void healthcheckFieldsInheritOneByOne() {
		ObjectNode merged = ImageConfigMerge.merge(json("{'Healthcheck': {'Timeout': 5000000000}}"), IMAGE);
		ObjectNode check = (ObjectNode) merged.get("Healthcheck");
		assertThat(strings(check.get("Test"))).containsExactly("CMD", "true");
		assertThat(check.get("Interval").asLong()).isEqualTo(30_000_000_000L);
		assertThat(check.get("Timeout").asLong()).isEqualTo(5_000_000_000L);
		assertThat(check.get("Retries").asInt()).isEqualTo(3);
	}

	@Test
	void nothingToRunIsDockersNoCommandSpecified() {
		ObjectNode image = json("{'config': {'Env': ['PATH=/bin']}}");
		assertThatThrownBy(() -> ImageConfigMerge.merge(json("{}"), image))
			.isInstanceOf(InvalidArgumentException.class)
			.hasMessage("No command specified");
		assertThatThrownBy(() -> ImageConfigMerge.merge(json("{'Cmd': []}"), null))
			.hasMessage("No command specified");
	}

	@Test
	void theInputIsNotModified() {
		ObjectNode config = json("{'Env': ['A=1']}");
		ImageConfigMerge.merge(config, IMAGE);
		assertThat(config.toString()).isEqualTo(json("{'Env': ['A=1']}").toString());
	}

	@Test
	void theClientsConfigIsValidatedInDockersWords() {
		assertThatThrownBy(() -> ImageConfigMerge.merge(json("{'Cmd': ['x'], 'WorkingDir': 'rel'}"), IMAGE))
			.hasMessage("the working directory 'rel' is invalid, it needs to be an absolute path");
		assertThatThrownBy(() -> ImageConfigMerge.merge(json("{'Cmd': ['x'], 'Env': ['=x']}"), IMAGE))
			.hasMessage("invalid environment variable: =x");
		assertThatThrownBy(() -> ImageConfigMerge.merge(json("{'Cmd': ['x'], 'StopSignal': 'SIGNOPE'}"), IMAGE))
			.hasMessage("Invalid signal: SIGNOPE");
		assertThatThrownBy(() -> ImageConfigMerge.merge(json("{'Cmd': ['x'], 'Healthcheck': {'Interval': 5}}"), IMAGE))
			.hasMessage("Interval in Healthcheck cannot be less than 1ms");
		assertThatThrownBy(() -> ImageConfigMerge.merge(json("{'Cmd': ['x'], 'Healthcheck': {'Retries': -1}}"), IMAGE))
			.hasMessage("Retries in Healthcheck cannot be negative");
	}

	@Test
	void theWorkingDirectoryIsCleanedAndSignalsAcceptDockersSpellings() {
		ObjectNode merged = ImageConfigMerge.merge(json("{'Cmd': ['x'], 'WorkingDir': '/a//b/../c/', 'StopSignal': 'usr1'}"),
				IMAGE);
		assertThat(merged.get("WorkingDir").asString()).isEqualTo("/a/c");
		for (String signal : new String[] { "9", "SIGTERM", "term", "SIGRTMIN+3", "RTMAX-1" }) {
			ImageConfigMerge.merge(json("{'Cmd': ['x'], 'StopSignal': '" + signal + "'}"), IMAGE);
		}
		assertThatThrownBy(() -> ImageConfigMerge.merge(json("{'Cmd': ['x'], 'StopSignal': '65'}"), IMAGE))
			.hasMessage("Invalid signal: 65");
	}

}
