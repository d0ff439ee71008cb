package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.hostConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.node.ObjectNode;

import dev.berth.lifecycle.InvalidArgumentException;

class ResourceLimitsTests {

	private static final HostFacts V1 = SpecFixtures.host();

	private static final HostFacts NO_SWAP_ACCOUNTING = SpecFixtures
		.host(new HostFacts.CgroupSupport(false, false, true, false), false);

	private final List<String> warnings = new ArrayList<>();

	@Test
	void noLimitsNoResources() {
		assertThat(resources("{}", V1)).isEmpty();
	}

	@Test
	void memoryGetsAsMuchSwapAsMemoryByDefault() {
		ObjectNode memory = (ObjectNode) resources("{'Memory': 67108864, 'MemoryReservation': 33554432}", V1)
			.get("memory");
		assertThat(memory.get("limit").asLong()).isEqualTo(64L << 20);
		assertThat(memory.get("swap").asLong()).isEqualTo(128L << 20);
		assertThat(memory.get("reservation").asLong()).isEqualTo(32L << 20);
		assertThat(resources("{'Memory': 67108864, 'MemorySwap': -1}", V1).get("memory").has("swap")).isFalse();
		assertThat(this.warnings).isEmpty();
	}

	@Test
	void withoutSwapAccountingMemoryIsLimitedWithoutSwapAndDockerWarns() {
		assertThat(resources("{'Memory': 67108864}", NO_SWAP_ACCOUNTING).get("memory").has("swap")).isFalse();
		assertThat(this.warnings).containsExactly("Your kernel does not support swap limit capabilities or the cgroup "
				+ "is not mounted. Memory limited without swap.");
	}

	@Test
	void memoryRulesInDockersWords() {
		assertThatThrownBy(() -> resources("{'Memory': 4194304}", V1)).isInstanceOf(InvalidArgumentException.class)
			.hasMessage("Minimum memory limit allowed is 6MB");
		assertThatThrownBy(() -> resources("{'Memory': 67108864, 'MemorySwap': 33554432}", V1))
			.hasMessage("Minimum memoryswap limit should be larger than memory limit, see usage");
		assertThatThrownBy(() -> resources("{'MemorySwap': 67108864}", V1))
			.hasMessage("You should always set the Memory limit when using Memoryswap limit, see usage");
		assertThatThrownBy(() -> resources("{'MemoryReservation': 1024}", V1))
			.hasMessage("Minimum memory reservation allowed is 6MB");
		assertThatThrownBy(() -> resources("{'Memory': 8388608, 'MemoryReservation': 16777216}", V1))
			.hasMessage("Minimum memory limit can not be less than memory reservation limit, see usage");
		assertThatThrownBy(() -> resources("{'MemorySwappiness': 101}", V1))
			.hasMessage("Invalid value: 101, valid memory swappiness range is 0-100");
	}

	@Test
	void anUpdateMaySetSwapAloneButIsOtherwiseCheckedAsACreate() {
		// the container may have its memory limit already: dockerd lets a swap limit come alone
		ResourceLimits.verifyUpdate(hostConfig("{'MemorySwap': 67108864}"), V1, this.warnings);
		assertThatThrownBy(() -> ResourceLimits.verifyUpdate(hostConfig("{'Memory': 4194304}"), V1, this.warnings))
			.hasMessage("Minimum memory limit allowed is 6MB");
		assertThatThrownBy(() -> ResourceLimits.verifyUpdate(hostConfig("{'CpusetCpus': '7'}"), V1, this.warnings))
			.hasMessageStartingWith("Requested CPUs are not available - requested 7, available: ");
		assertThatThrownBy(
				() -> ResourceLimits.verifyUpdate(hostConfig("{'NanoCpus': 500000000, 'CpuQuota': 5000}"), V1, this.warnings))
			.hasMessage("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
		assertThat(this.warnings).isEmpty();
	}

	@Test
	void nanoCpusBecomeAQuotaOverOneHundredMilliseconds() {
		ObjectNode cpu = (ObjectNode) resources("{'NanoCpus': 1500000000, 'CpuShares': 512, 'CpusetCpus': '1'}", V1)
			.get("cpu");
		assertThat(cpu.get("quota").asLong()).isEqualTo(150_000);
		assertThat(cpu.get("period").asLong()).isEqualTo(100_000);
		assertThat(cpu.get("shares").asLong()).isEqualTo(512);
		assertThat(cpu.get("cpus").asString()).isEqualTo("1");
		ObjectNode explicit = (ObjectNode) resources("{'CpuQuota': 50000, 'CpuPeriod': 200000}", V1).get("cpu");
		assertThat(explicit.get("quota").asLong()).isEqualTo(50_000);
		assertThat(explicit.get("period").asLong()).isEqualTo(200_000);
	}

	@Test
	void cpuRulesInDockersWords() {
		assertThatThrownBy(() -> resources("{'NanoCpus': 1000000000, 'CpuPeriod': 100000}", V1))
			.hasMessage("Conflicting options: Nano CPUs and CPU Period cannot both be set");
		assertThatThrownBy(() -> resources("{'NanoCpus': 1000000000, 'CpuQuota': 100000}", V1))
			.hasMessage("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
		assertThatThrownBy(() -> resources("{'NanoCpus': 3000000000}", V1))
			.hasMessage("range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available");
		assertThatThrownBy(() -> resources("{'CpuPeriod': 999}", V1))
			.hasMessage("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
		assertThatThrownBy(() -> resources("{'CpuQuota': 999}", V1))
			.hasMessage("CPU cfs quota can not be less than 1ms (i.e. 1000)");
		assertThatThrownBy(() -> resources("{'CpuShares': -2}", V1))
			.hasMessage("invalid CPU shares (-2): value must be a positive integer");
		assertThatThrownBy(() -> resources("{'CpusetCpus': '0-3'}", V1))
			.hasMessage("Requested CPUs are not available - requested 0-3, available: 0-1");
		assertThatThrownBy(() -> resources("{'CpusetCpus': '1-x'}", V1))
			.hasMessageStartingWith("Invalid value 1-x for cpuset cpus");
		assertThatThrownBy(() -> resources("{'CpusetMems': '1'}", V1))
			.hasMessage("Requested memory nodes are not available - requested 1, available: 0");
	}

	@Test
	void pidsLimitOfZeroOrLessIsUnlimited() {
		assertThat(resources("{'PidsLimit': 100}", V1).get("pids").get("limit").asLong()).isEqualTo(100);
		assertThat(resources("{'PidsLimit': 0}", V1).get("pids").get("limit").asLong()).isEqualTo(-1);
		assertThat(resources("{'PidsLimit': -5}", V1).get("pids").get("limit").asLong()).isEqualTo(-1);
	}

	@Test
	void oomKillDisableAndBlkioWeightWhereTheHostSupportsThem() {
		assertThat(resources("{'Memory': 67108864, 'OomKillDisable': true}", V1).get("memory").get("disableOOMKiller")
			.asBoolean()).isTrue();
		HostFacts v2 = SpecFixtures.host(new HostFacts.CgroupSupport(true, true, false, true), true);
		assertThat(resources("{'Memory': 67108864, 'OomKillDisable': true, 'BlkioWeight': 300}", v2).get("blockIO")
			.get("weight").asInt()).isEqualTo(300);
		assertThat(this.warnings).containsExactly("Your kernel does not support OomKillDisable. OomKillDisable discarded.");
		assertThat(resources("{'BlkioWeight': 300}", V1).has("blockIO")).isFalse();
		assertThatThrownBy(() -> resources("{'BlkioWeight': 5}", v2)).hasMessage("Range of blkio weight is from 10 to 1000");
	}

	@Test
	void ulimitsBecomeRlimits() {
		assertThat(ResourceLimits.rlimits(hostConfig("{'Ulimits': [{'Name': 'nofile', 'Soft': 1024, 'Hard': 2048}]}")
			.ulimits()).toString()).isEqualTo("[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024}]");
		assertThatThrownBy(() -> ResourceLimits.rlimits(hostConfig("{'Ulimits': [{'Name': 'cores', 'Soft': 1, 'Hard': 1}]}")
			.ulimits())).hasMessage("invalid ulimit type: cores");
		assertThatThrownBy(() -> ResourceLimits.rlimits(hostConfig("{'Ulimits': [{'Name': 'nproc', 'Soft': 9, 'Hard': 1}]}")
			.ulimits())).hasMessage("ulimit soft limit must be less than or equal to hard limit: 9 > 1");
	}

	@Test
	void oomScoreAdjIsTheKernelsRange() {
		assertThat(ResourceLimits.oomScoreAdj(-1000)).isEqualTo(-1000);
		assertThatThrownBy(() -> ResourceLimits.oomScoreAdj(1001))
			.hasMessage("Invalid value 1001, range for oom score adj is [-1000, 1000]");
	}

	private ObjectNode resources(String hostConfig, HostFacts host) {
		return ResourceLimits.of(hostConfig(hostConfig), host, this.warnings);
	}

}
