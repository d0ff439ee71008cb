package dev.berth.runtime.cgroup;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CgroupPathTests {

	@Test
	void absolutePathIsTakenAsItIs() {
		assertThat(CgroupPath.parse("/berth/abc").relative()).isEqualTo("berth/abc");
		assertThat(CgroupPath.parse("/kubepods/pod1/abc").relative()).isEqualTo("kubepods/pod1/abc");
		assertThat(CgroupPath.parse("//berth//abc/").relative()).isEqualTo("berth/abc");
	}

	@Test
	void relativePathGoesUnderBerth() {
		assertThat(CgroupPath.parse("abc").relative()).isEqualTo("berth/abc");
		assertThat(CgroupPath.parse("pod1/abc").relative()).isEqualTo("berth/pod1/abc");
		assertThat(CgroupPath.parse("abc")).hasToString("/berth/abc");
	}

	@Test
	void resolvesUnderAHierarchy() {
		assertThat(CgroupPath.parse("/berth/abc").in(Path.of("/sys/fs/cgroup/memory")))
			.isEqualTo(Path.of("/sys/fs/cgroup/memory/berth/abc"));
	}

	@Test
	void emptyPathIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> CgroupPath.parse(null))
			.withMessage("linux.cgroupsPath: required (like /berth/<id>)");
		assertThatIllegalArgumentException().isThrownBy(() -> CgroupPath.parse(" "))
			.withMessage("linux.cgroupsPath: required (like /berth/<id>)");
	}

	@Test
	void rootIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> CgroupPath.parse("/"))
			.withMessage("linux.cgroupsPath \"/\": the root cgroup cannot be given to a container");
	}

	@Test
	void dotSegmentsAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> CgroupPath.parse("/berth/../system.slice"))
			.withMessage("linux.cgroupsPath \"/berth/../system.slice\": \"..\" is not allowed in a path");
		assertThatIllegalArgumentException().isThrownBy(() -> CgroupPath.parse("./abc"))
			.withMessage("linux.cgroupsPath \"./abc\": \".\" is not allowed in a path");
	}

	@Test
	void systemdPathIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> CgroupPath.parse("system.slice:berth:abc"))
			.withMessage("linux.cgroupsPath \"system.slice:berth:abc\": systemd paths (slice:prefix:name) need the "
					+ "systemd cgroup driver, which Berth does not have; use a path like /berth/<id>");
	}

}
