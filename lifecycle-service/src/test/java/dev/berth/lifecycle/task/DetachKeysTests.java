package dev.berth.lifecycle.task;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.berth.lifecycle.InvalidArgumentException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DetachKeysTests {

	@Test
	void theDefaultIsCtrlPCtrlQAndEndsTheSessionAfterThePrecedingBytes() {
		DetachKeys keys = DetachKeys.parse("");
		DetachKeys.Filtered filtered = keys.filter(new byte[] { 'l', 's', 0x10, 0x11, 'x' });
		assertThat(filtered.passOn()).containsExactly('l', 's');
		assertThat(filtered.detach()).isTrue();
	}

	@Test
	void aSequenceSplitAcrossChunksIsFound() {
		DetachKeys keys = DetachKeys.parse("ctrl-a,b");
		assertThat(keys.filter(new byte[] { 'x', 0x01 })).satisfies((f) -> {
			assertThat(f.passOn()).containsExactly('x');
			assertThat(f.detach()).isFalse();
		});
		assertThat(keys.filter(new byte[] { 'b' }).detach()).isTrue();
	}

	@Test
	void aPrefixThatIsNotTheSequenceIsPassedOnUnchanged() {
		DetachKeys keys = DetachKeys.parse("ctrl-p,ctrl-q");
		DetachKeys.Filtered first = keys.filter(new byte[] { 0x10 });
		assertThat(first.passOn()).isEmpty();
		DetachKeys.Filtered second = keys.filter(new byte[] { 0x10, 'a' });
		// the held ctrl-p was input; the second ctrl-p is held; then 'a' shows it was input too
		assertThat(second.passOn()).containsExactly(0x10, 0x10, 'a');
		assertThat(second.detach()).isFalse();
	}

	@Test
	void controlKeysAndSingleCharactersFollowDockersNotation() {
		assertThat(DetachKeys.parse("ctrl-@,ctrl-[,ctrl-_,q").filter(new byte[] { 0, 27, 31, 'q' }).detach()).isTrue();
		assertThat(DetachKeys.parse("ctrl-x").filter("x".getBytes(StandardCharsets.US_ASCII)).detach()).isFalse();
	}

	@Test
	void invalidKeysAreRefusedInDockersWords() {
		assertThatThrownBy(() -> DetachKeys.parse("ctrl-1")).isInstanceOf(InvalidArgumentException.class)
			.hasMessage("Invalid detach keys (ctrl-1) provided");
		assertThatThrownBy(() -> DetachKeys.parse("ab")).isInstanceOf(InvalidArgumentException.class);
	}

}
