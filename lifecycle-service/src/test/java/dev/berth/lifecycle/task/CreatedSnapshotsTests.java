package dev.berth.lifecycle.task;

import org.junit.jupiter.api.Test;

import dev.berth.contracts.agent.v1.Mount;
import dev.berth.contracts.agent.v1.PreparedSnapshot;

import static org.assertj.core.api.Assertions.assertThat;

class CreatedSnapshotsTests {

	private final CreatedSnapshots snapshots = new CreatedSnapshots();

	@Test
	void theFirstStartTakesWhatCreatePreparedAndLaterStartsPrepareAgain() {
		PreparedSnapshot prepared = snapshot("lowerdir=/l/a,upperdir=/c/1/upper,workdir=/c/1/work");
		this.snapshots.created("c1", prepared);
		assertThat(this.snapshots.takeForFirstStart("c1")).contains(prepared);
		assertThat(this.snapshots.takeForFirstStart("c1")).isEmpty();
	}

	@Test
	void eachContainerHasItsOwn() {
		this.snapshots.created("c1", snapshot("upperdir=/c/1/upper"));
		this.snapshots.created("c2", snapshot("upperdir=/c/2/upper"));
		assertThat(this.snapshots.takeForFirstStart("c2")).contains(snapshot("upperdir=/c/2/upper"));
		assertThat(this.snapshots.takeForFirstStart("c1")).contains(snapshot("upperdir=/c/1/upper"));
		assertThat(this.snapshots.takeForFirstStart("c3")).isEmpty();
	}

	@Test
	void containersNeverStartedGiveTheirPlaceToNewerOnes() {
		for (int i = 0; i <= CreatedSnapshots.CAPACITY; i++) {
			this.snapshots.created("c" + i, snapshot("upperdir=/c/" + i + "/upper"));
		}
		assertThat(this.snapshots.takeForFirstStart("c0")).isEmpty();
		assertThat(this.snapshots.takeForFirstStart("c1")).isPresent();
		assertThat(this.snapshots.takeForFirstStart("c" + CreatedSnapshots.CAPACITY)).isPresent();
	}

	private static PreparedSnapshot snapshot(String options) {
		return PreparedSnapshot.newBuilder()
			.addMounts(Mount.newBuilder().setType("overlay").setSource("overlay").addOptions(options))
			.build();
	}

}
