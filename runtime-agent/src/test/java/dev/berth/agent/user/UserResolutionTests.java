package dev.berth.agent.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Docker's User forms against a container's passwd and group files. */
class UserResolutionTests {

	private static final String PASSWD = """
			root:x:0:0:root:/root:/bin/sh
			daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
			app:x:1000:1000:App:/home/app:/bin/sh
			nohome:x:1001:1001::
			app:x:2000:2000:a second app, never chosen:/nope:/bin/sh

			short:x:1002
			""";

	private static final String GROUP = """
			root:x:0:
			wheel:x:10:root,app
			app:x:1000:
			audio:x:29:app,daemon
			nohome:x:1001:
			""";

	private final UserDatabase database = UserDatabase.parse(PASSWD, GROUP);

	@Test
	void emptyIsRootWithRootsGroupsAndHome() {
		assertThat(resolve("")).isEqualTo(new ProcessUser(0, 0, List.of(0L, 10L), "/root"));
	}

	@Test
	void aNameTakesItsUidPrimaryGroupSupplementaryGroupsAndHomeFromTheFirstEntry() {
		assertThat(resolve("app")).isEqualTo(new ProcessUser(1000, 1000, List.of(1000L, 10L, 29L), "/home/app"));
	}

	@Test
	void aUidWithAnEntryIsThatUser() {
		assertThat(resolve("1000")).isEqualTo(resolve("app"));
	}

	@Test
	void aUidWithoutAnEntryRunsAsItIsInGroupZeroWithHomeSlash() {
		assertThat(resolve("4242")).isEqualTo(new ProcessUser(4242, 0, List.of(0L), "/"));
	}

	@Test
	void anExplicitGroupReplacesThePrimaryGroupAndDropsSupplementaryOnes() {
		assertThat(resolve("app:audio")).isEqualTo(new ProcessUser(1000, 29, List.of(29L), "/home/app"));
		assertThat(resolve("app:777")).isEqualTo(new ProcessUser(1000, 777, List.of(777L), "/home/app"));
		assertThat(resolve("4242:wheel")).isEqualTo(new ProcessUser(4242, 10, List.of(10L), "/"));
		assertThat(resolve("4242:4343")).isEqualTo(new ProcessUser(4242, 4343, List.of(4343L), "/"));
	}

	@Test
	void groupAddAddsGroupsByNameOrNumberOnceEach() {
		assertThat(UserResolution.resolve("daemon", List.of("wheel", "5000", "10", "audio"), this.database))
			.isEqualTo(new ProcessUser(1, 1, List.of(1L, 29L, 10L, 5000L, 29L), "/usr/sbin"));
	}

	@Test
	void anEntryWithoutAHomeGetsSlash() {
		assertThat(resolve("nohome").home()).isEqualTo("/");
		assertThat(resolve("short")).isEqualTo(new ProcessUser(1002, 0, List.of(0L), "/"));
	}

	@Test
	void unknownNamesFailInDockersWords() {
		assertThatThrownBy(() -> resolve("nobody2")).isInstanceOf(UserLookupException.class)
			.hasMessage("unable to find user nobody2: no matching entries in passwd file");
		assertThatThrownBy(() -> resolve("app:nogroup")).isInstanceOf(UserLookupException.class)
			.hasMessage("unable to find group nogroup: no matching entries in group file");
		assertThatThrownBy(() -> UserResolution.resolve("app", List.of("video"), this.database))
			.hasMessage("unable to find group video: no matching entries in group file");
	}

	@Test
	void idsOutOfDockersRangeAreRefused() {
		for (String user : List.of("-1", "2147483648", "99999999999999999999999", "app:-5")) {
			assertThatThrownBy(() -> resolve(user)).as(user)
				.isInstanceOf(UserLookupException.class)
				.hasMessage("uids and gids must be in range 0-2147483647");
		}
		assertThat(resolve("2147483647").uid()).isEqualTo(2147483647L);
	}

	@Test
	void withoutFilesOnlyNumbersResolve() {
		UserDatabase none = UserDatabase.parse(null, null);
		assertThat(UserResolution.resolve("", List.of(), none)).isEqualTo(new ProcessUser(0, 0, List.of(0L), "/"));
		assertThat(UserResolution.resolve("33:44", List.of("55"), none))
			.isEqualTo(new ProcessUser(33, 44, List.of(44L, 55L), "/"));
		assertThatThrownBy(() -> UserResolution.resolve("root", List.of(), none))
			.hasMessage("unable to find user root: no matching entries in passwd file");
	}

	private ProcessUser resolve(String user) {
		return UserResolution.resolve(user, List.of(), this.database);
	}

}
