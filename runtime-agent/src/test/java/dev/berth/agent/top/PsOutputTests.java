package dev.berth.agent.top;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Reading ps's output the way docker top does. */
class PsOutputTests {

	@Test
	void keepsTheHeaderAndTheContainersRowsWithTheCommandInTheLastField() {
		String output = """
				UID          PID    PPID  C STIME TTY          TIME CMD
				root           1       0  0 10:00 ?        00:00:01 /sbin/init
				root         420     400  0 10:01 ?        00:00:00 sleep 1000
				nobody       421     420  0 10:01 ?        00:00:00 sh -c  echo  a\tb
				""";
		PsOutput parsed = PsOutput.parse(output, Set.of(420L, 421L, 999L));
		assertThat(parsed.titles()).containsExactly("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
		assertThat(parsed.processes()).containsExactly(
				List.of("root", "420", "400", "0", "10:01", "?", "00:00:00", "sleep 1000"),
				List.of("nobody", "421", "420", "0", "10:01", "?", "00:00:00", "sh -c echo a b"));
	}

	@Test
	void threadRowsGoWithTheProcessAboveThem() {
		String output = """
				  PID TTY      STAT   TIME COMMAND
				    7 ?        -      0:00 other
				    - -        Sl     0:00 -
				  420 ?        -      0:00 java
				    - -        Sl     0:00 -
				    - -        Sl     0:00 -
				""";
		assertThat(PsOutput.parse(output, Set.of(420L)).processes()).containsExactly(
				List.of("420", "?", "-", "0:00", "java"), List.of("-", "-", "Sl", "0:00", "-"),
				List.of("-", "-", "Sl", "0:00", "-"));
	}

	@Test
	void findsThePidColumnByItsTitle() {
		PsOutput parsed = PsOutput.parse("COMMAND PID\nsleep 420\nsh 1\n", Set.of(420L));
		assertThat(parsed.processes()).containsExactly(List.of("sleep", "420"));
	}

	@Test
	void failsInDockersWordsWithoutAPidColumnOrWithAPidThatIsNoNumber() {
		assertThatThrownBy(() -> PsOutput.parse("COMMAND\nsleep\n", Set.of(1L))).isInstanceOf(PsException.class)
			.hasMessage("Couldn't find PID field in ps output");
		assertThatThrownBy(() -> PsOutput.parse("PID CMD\nabc sleep\n", Set.of(1L))).isInstanceOf(PsException.class)
			.hasMessageStartingWith("Unexpected pid 'abc': ");
	}

}
