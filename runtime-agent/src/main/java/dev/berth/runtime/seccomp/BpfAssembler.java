package dev.berth.runtime.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a classic BPF program whose jumps name {@link Label labels} instead of offsets.
 *
 * <p>A conditional jump encodes its targets as 8-bit offsets, so it cannot reach more than 255
 * instructions ahead; {@code JA} has a 32-bit offset. {@link #assemble()} therefore lays the
 * program out repeatedly, giving every conditional jump with a distant target an adjacent
 * {@code JA} to go through, until nothing moves. Jumps only grow and distances only grow, so the
 * layout settles. All jumps must go forward, as classic BPF requires.
 *
 * <p>Only instructions the kernel's seccomp action cache can evaluate are offered ({@code LD}
 * of {@code seccomp_data}, {@code JEQ}/{@code JGT}/{@code JGE}/{@code JSET} with a constant,
 * {@code JA}, {@code AND} with a constant, {@code RET} a constant), so the kernel can still
 * skip the filter for system calls it always allows.
 */
final class BpfAssembler {

	static final int INSTRUCTION_SIZE = 8;

	static final int LD_W_ABS = 0x20;

	static final int ALU_AND_K = 0x54;

	static final int RET_K = 0x06;

	static final int JMP_JA = 0x05;

	static final int JMP_JEQ_K = 0x15;

	static final int JMP_JGT_K = 0x25;

	static final int JMP_JGE_K = 0x35;

	static final int JMP_JSET_K = 0x45;

	private static final int MAX_SHORT_JUMP = 255;

	private final List<Item> items = new ArrayList<>();

	Label label() {
		return new Label();
	}

	/** Places {@code label} at the next instruction. */
	void bind(Label label) {
		if (label.bound) {
			throw new IllegalStateException("Label bound twice");
		}
		label.bound = true;
		this.items.add(new Bind(label));
	}

	/** {@code A = *(u32 *) (seccomp_data + offset)}. */
	void load(int offset) {
		this.items.add(new Fixed(LD_W_ABS, offset));
	}

	void and(int constant) {
		this.items.add(new Fixed(ALU_AND_K, constant));
	}

	void returnAction(int action) {
		this.items.add(new Fixed(RET_K, action));
	}

	void jumpIfEqual(int constant, Label ifTrue, Label ifFalse) {
		this.items.add(new Conditional(JMP_JEQ_K, constant, ifTrue, ifFalse));
	}

	/** Unsigned {@code A > constant}. */
	void jumpIfGreater(int constant, Label ifTrue, Label ifFalse) {
		this.items.add(new Conditional(JMP_JGT_K, constant, ifTrue, ifFalse));
	}

	/** Unsigned {@code A >= constant}. */
	void jumpIfGreaterOrEqual(int constant, Label ifTrue, Label ifFalse) {
		this.items.add(new Conditional(JMP_JGE_K, constant, ifTrue, ifFalse));
	}

	/** {@code (A & constant) != 0}. */
	void jumpIfAnyBitSet(int constant, Label ifTrue, Label ifFalse) {
		this.items.add(new Conditional(JMP_JSET_K, constant, ifTrue, ifFalse));
	}

	/** The {@code struct sock_filter} array, little-endian. */
	byte[] assemble() {
		int[] sizes = new int[this.items.size()];
		for (int i = 0; i < sizes.length; i++) {
			sizes[i] = (this.items.get(i) instanceof Bind) ? 0 : 1;
		}
		int[] starts = new int[sizes.length];
		boolean grew;
		do {
			layOut(sizes, starts);
			grew = false;
			for (int i = 0; i < sizes.length; i++) {
				if (this.items.get(i) instanceof Conditional jump) {
					int needed = 1 + farTargets(jump, starts[i]);
					if (needed > sizes[i]) {
						sizes[i] = needed;
						grew = true;
					}
				}
			}
		}
		while (grew);
		int length = layOut(sizes, starts);
		ByteBuffer out = ByteBuffer.allocate(length * INSTRUCTION_SIZE).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < sizes.length; i++) {
			emit(this.items.get(i), starts[i], sizes[i], out);
		}
		if (length == 0 || out.getShort((length - 1) * INSTRUCTION_SIZE) != RET_K) {
			throw new IllegalStateException("A filter must end with a return");
		}
		return out.array();
	}

	private int layOut(int[] sizes, int[] starts) {
		int position = 0;
		for (int i = 0; i < sizes.length; i++) {
			starts[i] = position;
			if (this.items.get(i) instanceof Bind bind) {
				bind.label().position = position;
			}
			position += sizes[i];
		}
		return position;
	}

	private static int farTargets(Conditional jump, int at) {
		boolean trueFar = offset(at, jump.ifTrue()) > MAX_SHORT_JUMP;
		boolean falseFar = offset(at, jump.ifFalse()) > MAX_SHORT_JUMP;
		if (jump.ifTrue() == jump.ifFalse()) {
			return trueFar ? 1 : 0;
		}
		return (trueFar ? 1 : 0) + (falseFar ? 1 : 0);
	}

	/** The offset of {@code target} from the instruction after {@code at}. */
	private static int offset(int at, Label target) {
		if (!target.bound) {
			throw new IllegalStateException("Jump to a label that is never bound");
		}
		int offset = target.position - at - 1;
		if (offset < 0) {
			throw new IllegalStateException("Backward jump from " + at + " to " + target.position);
		}
		return offset;
	}

	private static void emit(Item item, int at, int size, ByteBuffer out) {
		switch (item) {
			case Bind bind -> {
			}
			case Fixed fixed -> put(out, fixed.code(), 0, 0, fixed.constant());
			case Conditional jump -> emitConditional(jump, at, size, out);
		}
	}

	private static void emitConditional(Conditional jump, int at, int size, ByteBuffer out) {
		int trueOffset = offset(at, jump.ifTrue());
		int falseOffset = offset(at, jump.ifFalse());
		boolean trueFar = trueOffset > MAX_SHORT_JUMP;
		boolean falseFar = falseOffset > MAX_SHORT_JUMP;
		if (size == 1) {
			put(out, jump.code(), trueOffset, falseOffset, jump.constant());
		}
		else if (size == 2 && jump.ifTrue() == jump.ifFalse()) {
			put(out, jump.code(), 0, 0, jump.constant());
			put(out, JMP_JA, 0, 0, offset(at + 1, jump.ifTrue()));
		}
		else if (size == 2 && trueFar && !falseFar) {
			put(out, jump.code(), 0, falseOffset, jump.constant());
			put(out, JMP_JA, 0, 0, offset(at + 1, jump.ifTrue()));
		}
		else if (size == 2 && falseFar && !trueFar) {
			put(out, jump.code(), trueOffset, 0, jump.constant());
			put(out, JMP_JA, 0, 0, offset(at + 1, jump.ifFalse()));
		}
		else if (size == 3) {
			put(out, jump.code(), 0, 1, jump.constant());
			put(out, JMP_JA, 0, 0, offset(at + 1, jump.ifTrue()));
			put(out, JMP_JA, 0, 0, offset(at + 2, jump.ifFalse()));
		}
		else {
			throw new IllegalStateException("Jump layout did not settle at " + at);
		}
	}

	private static void put(ByteBuffer out, int code, int jumpIfTrue, int jumpIfFalse, int constant) {
		if (jumpIfTrue > MAX_SHORT_JUMP || jumpIfFalse > MAX_SHORT_JUMP) {
			throw new IllegalStateException("Jump offset out of range");
		}
		out.putShort((short) code);
		out.put((byte) jumpIfTrue);
		out.put((byte) jumpIfFalse);
		out.putInt(constant);
	}

	/** A jump target; bind it with {@link #bind(Label)} where it should point. */
	static final class Label {

		private boolean bound;

		private int position = -1;

	}

	private sealed interface Item permits Fixed, Conditional, Bind {

	}

	private record Fixed(int code, int constant) implements Item {
	}

	private record Conditional(int code, int constant, Label ifTrue, Label ifFalse) implements Item {
	}

	private record Bind(Label label) implements Item {
	}

}
