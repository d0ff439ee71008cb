package dev.berth.lifecycle.spec;

import static dev.berth.lifecycle.spec.SpecFixtures.hostConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.InvalidArgumentException;
import dev.berth.lifecycle.spec.UserMounts.MountPoint;

class UserMountsTests {

	@Test
	void bindsAreRecursivePrivateAndReadOnlyWhenAsked() {
		List<MountPoint> mounts = UserMounts.of(hostConfig(
				"{'Binds': ['/tmp:/data', '/etc//:/host-etc/:ro,rslave', '/var/tmp:/scratch:z,rw,nocopy']}"));
		assertThat(mounts).containsExactly(new MountPoint("/data", "bind", "/tmp", List.of("rbind", "rprivate")),
				new MountPoint("/host-etc", "bind", "/etc", List.of("rbind", "ro", "rslave")),
				new MountPoint("/scratch", "bind", "/var/tmp", List.of("rbind", "rprivate")));
	}

	@Test
	void mountsShallowFirstSoParentsComeBeforeChildren() {
		List<MountPoint> mounts = UserMounts.of(hostConfig("{'Binds': ['/tmp:/a/b/c', '/tmp:/a']}"));
		assertThat(mounts).extracting(MountPoint::destination).containsExactly("/a", "/a/b/c");
	}

	@Test
	void badBindsAreRefusedInDockersWords() {
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': [':/x']}")))
			.isInstanceOf(InvalidArgumentException.class)
			.hasMessage("invalid volume specification: ':/x'");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/x:rw']}")))
			.hasMessage("invalid volume specification: '/x:rw'");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/a:/b:c:d']}")))
			.hasMessage("invalid volume specification: '/a:/b:c:d'");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/a:/b:ro,rw']}"))).hasMessage("invalid mode: ro,rw");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/a:/b:fast']}"))).hasMessage("invalid mode: fast");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/a:relative']}")))
			.hasMessage("invalid volume specification: '/a:relative': invalid mount config for type \"bind\": "
					+ "invalid mount path: 'relative' mount path must be absolute");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/a:/']}")))
			.hasMessage("invalid volume specification: '/a:/': invalid mount config for type \"bind\": "
					+ "invalid specification: destination can't be '/'");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/a:/x', '/b:/x/']}")))
			.hasMessage("Duplicate mount point: /x");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/a:/x'], 'Tmpfs': {'/x': ''}}")))
			.hasMessage("Duplicate mount point: /x");
	}

	@Test
	void volumesNamedOrAnonymousAreNotSupportedYet() {
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['pgdata:/var/lib/postgresql']}")))
			.isInstanceOf(UnsupportedFeatureException.class)
			.hasMessage("volume pgdata at /var/lib/postgresql: volumes are not supported yet")
			.extracting((ex) -> ((UnsupportedFeatureException) ex).feature())
			.isEqualTo("volumes");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Binds': ['/cache']}")))
			.isInstanceOf(UnsupportedFeatureException.class)
			.hasMessage("anonymous volume at /cache: volumes are not supported yet");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Mounts': [{'Type': 'volume', 'Source': 'v', 'Target': '/v'}]}")))
			.isInstanceOf(UnsupportedFeatureException.class)
			.hasMessage("volume v at /v: volumes are not supported yet");
	}

	@Test
	void mountBindsNeedAnExistingSourceUnlessAskedToCreateIt() {
		List<MountPoint> mounts = UserMounts.of(hostConfig("""
				{'Mounts': [{'Type': 'bind', 'Source': '/tmp', 'Target': '/t', 'ReadOnly': true,
				             'BindOptions': {'Propagation': 'rshared', 'NonRecursive': true}},
				            {'Type': 'bind', 'Source': '/nonexistent/berth', 'Target': '/n',
				             'BindOptions': {'CreateMountpoint': true}}]}"""));
		assertThat(mounts).containsExactly(new MountPoint("/t", "bind", "/tmp", List.of("bind", "ro", "rshared")),
				new MountPoint("/n", "bind", "/nonexistent/berth", List.of("rbind", "rprivate")));
		assertThatThrownBy(() -> UserMounts.of(hostConfig(
				"{'Mounts': [{'Type': 'bind', 'Source': '/nonexistent/berth', 'Target': '/n'}]}")))
			.hasMessage("invalid mount config for type \"bind\": bind source path does not exist: /nonexistent/berth");
	}

	@Test
	void badMountsAreRefusedInDockersWords() {
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Mounts': [{'Type': 'bind', 'Source': '/tmp'}]}")))
			.hasMessage("invalid mount config for type \"bind\": field Target must not be empty");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Mounts': [{'Type': 'bind', 'Target': '/t'}]}")))
			.hasMessage("invalid mount config for type \"bind\": field Source must not be empty");
		assertThatThrownBy(() -> UserMounts.of(hostConfig(
				"{'Mounts': [{'Type': 'bind', 'Source': '/tmp', 'Target': '/t', 'BindOptions': {'Propagation': 'odd'}}]}")))
			.hasMessage("invalid mount config for type \"bind\": invalid propagation mode: odd");
		assertThatThrownBy(() -> UserMounts.of(hostConfig(
				"{'Mounts': [{'Type': 'tmpfs', 'Source': '/tmp', 'Target': '/t'}]}")))
			.hasMessage("invalid mount config for type \"tmpfs\": field Source must not be specified");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Mounts': [{'Type': 'npipe', 'Target': '/t'}]}")))
			.hasMessage("invalid mount config for type \"npipe\": mount type unknown");
		assertThatThrownBy(() -> UserMounts.of(hostConfig(
				"{'Mounts': [{'Type': 'bind', 'Source': '/tmp', 'Target': '/x'}], 'Binds': ['/tmp:/x']}")))
			.hasMessage("Duplicate mount point: /x");
	}

	@Test
	void tmpfsMountsMergeDockersDefaultsWithTheUsersOptions() {
		List<MountPoint> mounts = UserMounts.of(hostConfig("""
				{'Tmpfs': {'/run': 'exec,size=64m,size=1g'},
				 'Mounts': [{'Type': 'tmpfs', 'Target': '/scratch', 'ReadOnly': true,
				             'TmpfsOptions': {'SizeBytes': 2097152, 'Mode': 448, 'Options': [['exec']]}}]}"""));
		assertThat(mounts).containsExactlyInAnyOrder(
				new MountPoint("/run", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "rprivate", "exec", "size=1g")),
				new MountPoint("/scratch", "tmpfs", "tmpfs",
						List.of("nosuid", "nodev", "rprivate", "ro", "mode=700", "size=2m", "exec")));
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Tmpfs': {'/run': 'color=blue'}}")))
			.hasMessage("invalid tmpfs option [\"color\" \"blue\"]");
		assertThatThrownBy(() -> UserMounts.of(hostConfig("{'Tmpfs': {'run': ''}}")))
			.hasMessage("invalid mount path: 'run' mount path must be absolute");
	}

}
