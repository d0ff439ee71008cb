package dev.berth.runtime.seccomp;

import org.junit.jupiter.api.Test;

import dev.berth.runtime.seccomp.BpfAssembler.Label;
import dev.berth.runtime.seccomp.ClassicBpf.SeccompData;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class BpfAssemblerTests {

	@Test
	void nearJumpsNeedNoLongJumps() {
		BpfAssembler code = new BpfAssembler();
		Label yes = code.label();
		Label no = code.label();
		code.load(0);
		code.jumpIfEqual(7, yes, no);
		code.bind(no);
		code.returnAction(1);
		code.bind(yes);
		code.returnAction(2);
		byte[] program = code.assemble();
		assertThat(program).containsExactly(0x20, 0, 0, 0, 0, 0, 0, 0, 0x15, 0, 1, 0, 7, 0, 0, 0, 0x06, 0, 0, 0, 1, 0,
				0, 0, 0x06, 0, 0, 0, 2, 0, 0, 0);
	}

	@Test
	void farTrueTargetGoesThroughAJump() {
		assertFarJumps(true, false);
	}

	@Test
	void farFalseTargetGoesThroughAJump() {
		assertFarJumps(false, true);
	}

	@Test
	void bothTargetsFar() {
		assertFarJumps(true, true);
	}

	@Test
	void manyCrossingJumpsSettle() {
		// every jump's distance depends on whether the ones between it and its target grew
		BpfAssembler code = new BpfAssembler();
		Label end = code.label();
		code.load(0);
		for (int i = 0; i < 600; i++) {
			Label next = code.label();
			code.jumpIfEqual(i, end, next);
			code.bind(next);
		}
		code.returnAction(0xFFFF);
		code.bind(end);
		code.returnAction(0xEEEE);
		byte[] program = code.assemble();
		ClassicBpf.verify(program);
		assertThat(ClassicBpf.run(program, new SeccompData(0, 0))).isEqualTo(0xEEEE);
		assertThat(ClassicBpf.run(program, new SeccompData(599, 0))).isEqualTo(0xEEEE);
		assertThat(ClassicBpf.run(program, new SeccompData(600, 0))).isEqualTo(0xFFFF);
		assertThat(ClassicBpf.longJumps(program)).isBetween(1, 600);
	}

	@Test
	void unboundLabelsAndBackwardJumpsAreBugs() {
		BpfAssembler unbound = new BpfAssembler();
		unbound.jumpIfEqual(1, unbound.label(), unbound.label());
		unbound.returnAction(0);
		assertThatIllegalStateException().isThrownBy(unbound::assemble).withMessageContaining("never bound");

		BpfAssembler backward = new BpfAssembler();
		Label start = backward.label();
		Label next = backward.label();
		backward.bind(start);
		backward.load(0);
		backward.jumpIfEqual(1, start, next);
		backward.bind(next);
		backward.returnAction(0);
		assertThatIllegalStateException().isThrownBy(backward::assemble).withMessageContaining("Backward");
	}

	@Test
	void aProgramMustEndWithAReturn() {
		BpfAssembler code = new BpfAssembler();
		code.load(0);
		assertThatIllegalStateException().isThrownBy(code::assemble).withMessageContaining("return");
	}

	private static void assertFarJumps(boolean trueFar, boolean falseFar) {
		BpfAssembler code = new BpfAssembler();
		Label yes = code.label();
		Label no = code.label();
		code.load(0);
		code.jumpIfGreater(100, yes, no);
		if (!trueFar) {
			code.bind(yes);
			code.returnAction(2);
		}
		if (!falseFar) {
			code.bind(no);
			code.returnAction(1);
		}
		padding(code);
		if (trueFar) {
			code.bind(yes);
			code.returnAction(2);
		}
		if (falseFar) {
			code.bind(no);
			code.returnAction(1);
		}
		byte[] program = code.assemble();
		ClassicBpf.verify(program);
		assertThat(ClassicBpf.longJumps(program)).isEqualTo((trueFar ? 1 : 0) + (falseFar ? 1 : 0));
		assertThat(ClassicBpf.run(program, new SeccompData(101, 0))).isEqualTo(2);
		assertThat(ClassicBpf.run(program, new SeccompData(100, 0))).isEqualTo(1);
	}

	private static void padding(BpfAssembler code) {
		for (int i = 0; i < 300; i++) {
			code.load(4);
		}
	}

}
