package dev.berth.lifecycle.container;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerNamesTests {

	@Test
	void namesAreAnAdjectiveAndASurnameThatAlwaysPassTheValidation() {
		ContainerNames names = new ContainerNames(new Random(1));
		for (int i = 0; i < 1000; i++) {
			String name = names.generate(0);

			assertThat(name).matches("[a-z]+_[a-z]+");
			assertThat(ContainerNames.normalize(name)).isEqualTo(name);
		}
	}

	@Test
	void laterAttemptsAddANumberToLeaveACrowdedSpace() {
		assertThat(new ContainerNames(new Random(1)).generate(5)).matches("[a-z]+_[a-z]+[0-9]{1,2}");
	}

	@Test
	void theWordsGiveOverAThousandNames() {
		ContainerNames names = new ContainerNames(new Random(1));
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < 100_000; i++) {
			seen.add(names.generate(0));
		}

		assertThat(seen).hasSizeGreaterThan(1000);
	}

}
