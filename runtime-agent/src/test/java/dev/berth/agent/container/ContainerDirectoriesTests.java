package dev.berth.agent.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.agent.AgentProperties;
import dev.berth.agent.NoSuchContainerException;
import dev.berth.agent.snapshot.Trash;
import dev.berth.contracts.agent.v1.ContainerFile;
import dev.berth.runtime.spec.SpecException;

/** A container's directory on the node: its files, its log, and nothing outside it. */
class ContainerDirectoriesTests {

	@TempDir
	Path dataRoot;

	private Trash trash;

	private ContainerDirectories directories() {
		AgentProperties properties = new AgentProperties(null, null, this.dataRoot, null, null);
		this.trash = new Trash(properties.trash());
		return new ContainerDirectories(properties, this.trash);
	}

	@AfterEach
	void closeTrash() {
		if (this.trash != null) {
			this.trash.close();
		}
	}

	@Test
	void theLogIsNamedAfterTheContainerInItsDirectory() {
		ContainerDirectories directories = directories();
		assertThat(directories.logFile("c1")).isEqualTo(this.dataRoot.resolve("containers/c1/c1-json.log"));
		assertThat(directories.resolveLogPath("c1", "c1-json.log")).isEqualTo(directories.logFile("c1").toString());
		assertThat(this.dataRoot.resolve("containers/c1")).isDirectory();
		assertThat(directories.resolveLogPath("c1", "/var/log/elsewhere.log")).isEqualTo("/var/log/elsewhere.log");
		assertThat(directories.resolveLogPath("c1", "")).isEmpty();
	}

	@Test
	void filesAreWrittenAndReplacedWhole() throws Exception {
		ContainerDirectories directories = directories();
		List<ContainerDirectories.FileMount> mounts = directories.writeFiles("c1",
				List.of(file("hosts", "one", "/etc/hosts"), file("resolv.conf", "two", "/etc/resolv.conf")));
		assertThat(mounts).containsExactly(
				new ContainerDirectories.FileMount(this.dataRoot.resolve("containers/c1/hosts"), "/etc/hosts", false),
				new ContainerDirectories.FileMount(this.dataRoot.resolve("containers/c1/resolv.conf"), "/etc/resolv.conf",
						false));
		directories.writeFiles("c1", List.of(file("hosts", "three", "/etc/hosts")));
		assertThat(Files.readString(this.dataRoot.resolve("containers/c1/hosts"))).isEqualTo("three");
		try (var listing = Files.list(this.dataRoot.resolve("containers/c1"))) {
			assertThat(listing.map((p) -> p.getFileName().toString())).containsExactlyInAnyOrder("hosts", "resolv.conf");
		}
	}

	@Test
	void namesThatLeaveTheDirectoryAreRefused() {
		ContainerDirectories directories = directories();
		for (String name : List.of("", ".", "..", "../x", "a/b", "/etc/passwd", "x".repeat(256))) {
			assertThatThrownBy(() -> directories.writeFiles("c1", List.of(file(name, "x", "/etc/x")))).as(name)
				.isInstanceOf(SpecException.class)
				.hasMessageContaining("is not a plain file name");
		}
		for (String relative : List.of(".", "..", "../x", "a/b", "x".repeat(256))) {
			assertThatThrownBy(() -> directories.resolveLogPath("c1", relative)).as(relative)
				.isInstanceOf(SpecException.class)
				.hasMessageContaining("stdio.log_path: \"" + relative + "\" is not a plain file name");
		}
		assertThatThrownBy(() -> directories.writeFiles("c1", List.of(file("hosts", "x", "etc/hosts"))))
			.hasMessageContaining("files.target: must be absolute");
		assertThatThrownBy(() -> directories.logFile("../c1")).isInstanceOf(SpecException.class);
	}

	@Test
	void removalIsIdempotentAndAnUnknownContainerIsNoSuchContainer() {
		ContainerDirectories directories = directories();
		directories.writeFiles("c1", List.of(file("hosts", "x", "/etc/hosts")));
		directories.requireExisting("c1");
		directories.remove("c1");
		directories.remove("c1");
		assertThat(this.dataRoot.resolve("containers/c1")).doesNotExist();
		this.trash.drain();
		assertThat(this.dataRoot.resolve("trash")).isEmptyDirectory();
		assertThatThrownBy(() -> directories.requireExisting("c1")).isInstanceOf(NoSuchContainerException.class)
			.hasMessage("No such container: c1");
		assertThatThrownBy(() -> directories.requireExisting("../etc")).hasMessage("No such container: ../etc");
	}

	private static ContainerFile file(String name, String content, String target) {
		return ContainerFile.newBuilder()
			.setName(name)
			.setContent(ByteString.copyFromUtf8(content))
			.setTarget(target)
			.build();
	}

}
