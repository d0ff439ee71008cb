package dev.berth.lifecycle.task;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerState;
import dev.berth.lifecycle.container.HostConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@code docker update} folds a request into a container's HostConfig: dockerd's rules. */
class ContainerUpdatesTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String ID = "c0ffee".repeat(10) + "abcd";

	@Test
	void setFieldsReplaceTheContainersAndZeroOrAbsentOnesLeaveThemAlone() {
		ObjectNode merged = merge("{'Memory': 134217728, 'CpuShares': 512, 'PidsLimit': 50, 'Binds': ['/a:/b']}",
				"{'Memory': 0, 'CpuShares': 1024, 'CpusetCpus': '0', 'PidsLimit': 100, 'MemorySwap': 536870912,"
						+ " 'RestartPolicy': {'Name': 'on-failure', 'MaximumRetryCount': 3}}");
		assertThat(merged.get("Memory").asLong()).isEqualTo(134217728);
		assertThat(merged.get("CpuShares").asLong()).isEqualTo(1024);
		assertThat(merged.get("CpusetCpus").asString()).isEqualTo("0");
		assertThat(merged.get("PidsLimit").asLong()).isEqualTo(100);
		assertThat(merged.get("MemorySwap").asLong()).isEqualTo(536870912);
		assertThat(merged.get("RestartPolicy").get("MaximumRetryCount").asInt()).isEqualTo(3);
		assertThat(merged.get("Binds").get(0).asString()).as("fields an update cannot touch stay").isEqualTo("/a:/b");

		ObjectNode unchanged = merge("{'PidsLimit': 50, 'RestartPolicy': {'Name': 'always'}}",
				"{'PidsLimit': null, 'CpusetCpus': '', 'RestartPolicy': {'Name': ''}}");
		assertThat(unchanged.get("PidsLimit").asLong()).isEqualTo(50);
		assertThat(unchanged.has("CpusetCpus")).isFalse();
		assertThat(unchanged.get("RestartPolicy").get("Name").asString()).isEqualTo("always");
	}

	@Test
	void aCpuLimitOfOneKindCannotReplaceOneOfTheOther() {
		assertThatThrownBy(() -> merge("{'NanoCpus': 500000000}", "{'CpuQuota': 50000}"))
			.isInstanceOf(ConflictException.class)
			.hasMessage("Cannot update container " + ID
					+ ": Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
		assertThatThrownBy(() -> merge("{'NanoCpus': 500000000}", "{'CpuPeriod': 50000}"))
			.hasMessageEndingWith("CPU Period cannot be updated as NanoCPUs has already been set");
		assertThatThrownBy(() -> merge("{'CpuQuota': 50000}", "{'NanoCpus': 500000000}"))
			.hasMessageEndingWith("Nano CPUs cannot be updated as CPU Quota has already been set");
		assertThatThrownBy(() -> merge("{'CpuPeriod': 50000}", "{'NanoCpus': 500000000}"))
			.hasMessageEndingWith("Nano CPUs cannot be updated as CPU Period has already been set");
		assertThat(merge("{'NanoCpus': 500000000}", "{'NanoCpus': 800000000}").get("NanoCpus").asLong())
			.isEqualTo(800000000);
	}

	@Test
	void aMemoryLimitAboveTheSwapLimitInForceNeedsANewSwapLimit() {
		String swapMessage = "Memory limit should be smaller than already set memoryswap limit, update the memoryswap "
				+ "at the same time";
		// created with -m 64m: the swap limit in force is dockerd's default, 128m
		assertThatThrownBy(() -> merge("{'Memory': 67108864}", "{'Memory': 268435456}"))
			.isInstanceOf(ConflictException.class)
			.hasMessageEndingWith(swapMessage);
		ObjectNode lowered = merge("{'Memory': 67108864}", "{'Memory': 33554432}");
		assertThat(lowered.get("Memory").asLong()).isEqualTo(33554432);
		assertThat(lowered.get("MemorySwap").asLong()).as("the swap in force stays as it was").isEqualTo(134217728);
		// without any limit there is no swap limit to stay under: dockerd refuses this too
		assertThatThrownBy(() -> merge("{}", "{'Memory': 104857600}")).hasMessageEndingWith(swapMessage);
		ObjectNode both = merge("{}", "{'Memory': 104857600, 'MemorySwap': -1}");
		assertThat(both.get("Memory").asLong()).isEqualTo(104857600);
		assertThat(both.get("MemorySwap").asLong()).isEqualTo(-1);
	}

	@Test
	void aContainerRemovedAtItsExitKeepsNoRestartPolicy() {
		assertThatThrownBy(() -> merge("{'AutoRemove': true}", "{'RestartPolicy': {'Name': 'always'}}"))
			.isInstanceOf(ConflictException.class)
			.hasMessage("Cannot update container " + ID
					+ ": Restart policy cannot be updated because AutoRemove is enabled for the container");
		assertThat(merge("{'AutoRemove': true}", "{'RestartPolicy': {'Name': 'no'}}").get("RestartPolicy").get("Name")
			.asString()).isEqualTo("no");
	}

	private static ObjectNode merge(String hostConfig, String update) {
		ObjectNode body = json(update);
		Container container = new Container(ID, "c", "busybox", "sha256:" + "ab".repeat(32), "local",
				Instant.parse("2026-01-01T00:00:00Z"), json("{'Image': 'busybox'}"), json(hostConfig), json("{}"),
				Map.of(), false, ContainerState.created());
		return ContainerUpdates.merge(container, body, HostConfig.read(body));
	}

	private static ObjectNode json(String text) {
		return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
	}

}
