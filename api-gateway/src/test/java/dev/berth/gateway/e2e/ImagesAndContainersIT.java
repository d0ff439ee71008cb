package dev.berth.gateway.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.berth.contracts.lifecycle.v1.NodeServiceGrpc;
import dev.berth.contracts.lifecycle.v1.RemoveLayersRequest;
import dev.berth.contracts.lifecycle.v1.RemoveLayersResponse;
import dev.berth.gateway.testing.BerthdProcess;
import dev.berth.gateway.testing.Commands;
import dev.berth.gateway.testing.LocalRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where images and containers meet, through {@code bin/berthd} and the stock docker CLI: rmi, image prune and
 * system df know the containers; the nodes free the layers an rmi leaves without an image, except those a
 * container stands on; image actions appear in docker events; Config.Hostname is stored at create. Each test pulls
 * busybox (through the mirror) and leaves no container and no image behind.
 */
class ImagesAndContainersIT {

	private static LocalRegistry registry;

	private static BerthdProcess berthd;

	@BeforeAll
	static void start() throws Exception {
		registry = LocalRegistry.start();
		registry.push("busybox", "library/busybox:latest");
		berthd = BerthdProcess.start("--registry-mirror", "http://" + registry.reference("").replaceAll("/$", ""));
	}

	@AfterAll
	static void stop() throws Exception {
		try {
			if (berthd != null) {
				berthd.close();
			}
		}
		finally {
			if (registry != null) {
				registry.close();
			}
		}
	}

	@AfterEach
	void removeContainersAndImages() {
		String containers = berthd.docker("ps", "-aq").ok().strip();
		if (!containers.isEmpty()) {
			berthd.docker(command(List.of("rm", "-f"), containers)).ok();
		}
		String images = berthd.docker("images", "-aq").ok().strip();
		if (!images.isEmpty()) {
			berthd.docker(command(List.of("rmi", "-f"), images)).ok();
		}
	}

	private static String[] command(List<String> start, String ids) {
		return Stream.concat(start.stream(), Arrays.stream(ids.split("\\s+")).distinct()).toArray(String[]::new);
	}

	private static String imageId() {
		return berthd.docker("image", "inspect", "-f", "{{.Id}}", "busybox").ok().strip();
	}

	/** busybox has one layer: its chain ID is its diff ID, and the node unpacks it under that name. */
	private static Path layerDirectory() {
		String diffId = berthd.docker("image", "inspect", "-f", "{{index .RootFS.Layers 0}}", "busybox").ok().strip();
		return berthd.dataRoot().resolve("snapshots/layers").resolve(diffId.substring("sha256:".length()));
	}

	private static String shortId(String id) {
		return id.replace("sha256:", "").substring(0, 12);
	}

	@Test
	void rmiRefusesAnImageAContainerUsesAsDockerdDoes() {
		berthd.docker("pull", "busybox").ok();
		String image = imageId();
		String stopped = berthd.docker("create", "busybox", "true").ok().strip();

		Commands.Result byName = berthd.docker("rmi", "busybox");
		assertThat(byName.exitCode()).isNotZero();
		assertThat(byName.stderr()).contains("conflict: unable to remove repository reference \"busybox\" (must force) - "
				+ "container " + shortId(stopped) + " is using its referenced image " + shortId(image));

		String running = berthd.docker("run", "-d", "busybox", "sleep", "300").ok().strip();
		Commands.Result forced = berthd.docker("rmi", "-f", image);
		assertThat(forced.exitCode()).isNotZero();
		assertThat(forced.stderr()).contains("conflict: unable to delete " + shortId(image)
				+ " (cannot be forced) - image is being used by running container " + shortId(running));
		assertThat(berthd.docker("images", "-q", "busybox").ok().strip()).isEqualTo(shortId(image));
	}

	@Test
	void pruneKeepsUsedImagesAndDiskUsageCountsTheirContainers() {
		berthd.docker("pull", "busybox").ok();
		berthd.docker("create", "busybox", "true").ok();
		berthd.docker("run", "-d", "busybox", "sleep", "300").ok();

		assertThat(berthd.docker("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}").ok())
			.contains("Images 1 1\n", "Containers 2 1\n");
		assertThat(berthd.docker("system", "df", "-v", "--format", "{{range .Images}}{{.Repository}} {{.Containers}}{{end}}")
			.ok()
			.strip()).isEqualTo("busybox 2");

		Commands.Result prune = berthd.docker("image", "prune", "-a", "-f");
		assertThat(prune.ok()).contains("Total reclaimed space: 0B");
		assertThat(berthd.docker("images", "-q", "busybox").ok()).isNotBlank();

		berthd.docker(command(List.of("rm", "-f"), berthd.docker("ps", "-aq").ok().strip())).ok();
		Commands.Result unused = berthd.docker("image", "prune", "-a", "-f");
		assertThat(unused.ok()).contains("untagged: busybox:latest", "deleted: " + "sha256:");
		assertThat(berthd.docker("images", "-q").ok()).isBlank();
	}

	@Test
	void theNodesFreeTheLayersOfADeletedImageButNotThoseAContainerStandsOn() throws Exception {
		berthd.docker("pull", "busybox").ok();
		Path layer = layerDirectory();
		String keeper = berthd.docker("create", "busybox", "true").ok().strip();
		assertThat(layer).isDirectory();

		// the engine never deletes an image a container uses, so the node's own rule is asked for directly
		ManagedChannel channel = ManagedChannelBuilder.forTarget(berthd.lifecycleAddress()).usePlaintext().build();
		try {
			String chainId = "sha256:" + layer.getFileName();
			RemoveLayersResponse kept = NodeServiceGrpc.newBlockingStub(channel)
				.removeLayers(RemoveLayersRequest.newBuilder().addChainIds(chainId).build());
			assertThat(kept.getInUseList()).containsExactly(chainId);
			assertThat(kept.getRemovedList()).isEmpty();
		}
		finally {
			channel.shutdownNow();
		}
		assertThat(layer).isDirectory();
		assertThat(berthd.docker("start", "-a", keeper).exitCode()).isZero();

		berthd.docker("rm", keeper).ok();
		assertThat(layer).isDirectory();
		assertThat(berthd.docker("rmi", "busybox").ok()).contains("Deleted: sha256:" + layer.getFileName());
		assertThat(layer).doesNotExist();
		assertThat(Files.list(berthd.dataRoot().resolve("snapshots/layers")).toList()).doesNotContain(layer);
	}

	@Test
	void imageActionsAppearInDockerEvents() {
		String since = unixTime(Instant.now());
		berthd.docker("pull", "busybox").ok();
		String image = imageId();
		berthd.docker("tag", "busybox", "localhost:5000/mine:1").ok();
		berthd.docker("rmi", "localhost:5000/mine:1").ok();
		berthd.docker("rmi", "busybox").ok();
		String until = unixTime(Instant.now());

		Commands.Result events = berthd.docker("events", "--since", since, "--until", until, "--filter", "type=image",
				"--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{index .Actor.Attributes \"name\"}}");
		assertThat(events.ok().lines().toList()).containsExactly("image pull busybox:latest busybox",
				"image tag " + image + " localhost:5000/mine:1", "image untag " + image + " " + image,
				"image untag " + image + " " + image, "image delete " + image + " " + image);
	}

	@Test
	void configHostnameIsStoredAtCreateAsDockerStoresIt() throws Exception {
		berthd.docker("pull", "busybox").ok();
		String id = berthd.docker("create", "busybox", "true").ok().strip();
		assertThat(berthd.docker("inspect", "-f", "{{.Config.Hostname}}|{{.Config.Domainname}}", id).ok().strip())
			.isEqualTo(id.substring(0, 12) + "|");

		String named = berthd.docker("create", "--hostname", "web", "--domainname", "example.org", "busybox", "true")
			.ok()
			.strip();
		assertThat(berthd.docker("inspect", "-f", "{{.Config.Hostname}}|{{.Config.Domainname}}", named).ok().strip())
			.isEqualTo("web|example.org");

		String host = berthd.docker("create", "--network", "host", "busybox", "true").ok().strip();
		assertThat(berthd.docker("inspect", "-f", "{{.Config.Hostname}}", host).ok().strip())
			.isEqualTo(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
	}

	/** The CLI's --since and --until: seconds since the epoch, with the nanoseconds after a dot. */
	private static String unixTime(Instant instant) {
		return instant.getEpochSecond() + "." + String.format("%09d", instant.getNano());
	}

}
