package dev.berth.runtime.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A classic BPF interpreter for seccomp programs, written from the instruction set (not from the
 * compiler's constants) so tests check the encoding too. {@link #verify(byte[])} applies the
 * checks the kernel makes when a filter is loaded, and insists on the instructions the kernel's
 * seccomp action cache understands.
 */
final class ClassicBpf {

	static final int AUDIT_ARCH_X86_64 = 0xC000003E;

	static final int AUDIT_ARCH_I386 = 0x40000003;

	static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;

	static final int AUDIT_ARCH_ARM = 0x40000028;

	private static final int SECCOMP_DATA_SIZE = 64;

	private ClassicBpf() {
	}

	/** What the program returns for a system call, and how many instructions it ran. */
	record Outcome(int action, int executed) {
	}

	/** {@code struct seccomp_data}; missing arguments are 0. */
	record SeccompData(int nr, int arch, long... args) {

		byte[] bytes() {
			ByteBuffer data = ByteBuffer.allocate(SECCOMP_DATA_SIZE).order(ByteOrder.LITTLE_ENDIAN);
			data.putInt(0, this.nr);
			data.putInt(4, this.arch);
			data.putLong(8, 0x00007f00_12345678L);
			for (int i = 0; i < this.args.length; i++) {
				data.putLong(16 + 8 * i, this.args[i]);
			}
			return data.array();
		}

	}

	static int run(byte[] program, SeccompData data) {
		return execute(program, data).action();
	}

	static Outcome execute(byte[] program, SeccompData data) {
		ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
		ByteBuffer input = ByteBuffer.wrap(data.bytes()).order(ByteOrder.LITTLE_ENDIAN);
		int length = program.length / 8;
		int a = 0;
		int pc = 0;
		int executed = 0;
		while (true) {
			if (pc < 0 || pc >= length) {
				throw new AssertionError("pc " + pc + " outside the program");
			}
			executed++;
			int opcode = Short.toUnsignedInt(code.getShort(pc * 8));
			int jt = Byte.toUnsignedInt(code.get(pc * 8 + 2));
			int jf = Byte.toUnsignedInt(code.get(pc * 8 + 3));
			int k = code.getInt(pc * 8 + 4);
			int instructionClass = opcode & 0x07;
			switch (instructionClass) {
				case 0x00 -> {
					// BPF_LD | BPF_W | BPF_ABS
					check(opcode == 0x20, pc, opcode);
					a = input.getInt(k);
					pc++;
				}
				case 0x04 -> {
					// BPF_ALU | BPF_AND | BPF_K
					check(opcode == 0x54, pc, opcode);
					a &= k;
					pc++;
				}
				case 0x05 -> {
					int operation = opcode & 0xF0;
					check((opcode & 0x08) == 0, pc, opcode);
					boolean taken = switch (operation) {
						case 0x00 -> true;
						case 0x10 -> a == k;
						case 0x20 -> Integer.compareUnsigned(a, k) > 0;
						case 0x30 -> Integer.compareUnsigned(a, k) >= 0;
						case 0x40 -> (a & k) != 0;
						default -> throw new AssertionError("bad jump " + opcode + " at " + pc);
					};
					if (operation == 0x00) {
						pc += 1 + k;
					}
					else {
						pc += 1 + (taken ? jt : jf);
					}
				}
				case 0x06 -> {
					check(opcode == 0x06, pc, opcode);
					return new Outcome(k, executed);
				}
				default -> throw new AssertionError("unexpected opcode " + opcode + " at " + pc);
			}
		}
	}

	/** The kernel's load-time checks (bpf_check_classic and seccomp_check_filter), and ours. */
	static void verify(byte[] program) {
		if (program.length % 8 != 0) {
			throw new AssertionError("not a whole number of instructions");
		}
		int length = program.length / 8;
		if (length == 0 || length > 4096) {
			throw new AssertionError("length " + length + " outside 1..4096");
		}
		ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
		for (int pc = 0; pc < length; pc++) {
			int opcode = Short.toUnsignedInt(code.getShort(pc * 8));
			int jt = Byte.toUnsignedInt(code.get(pc * 8 + 2));
			int jf = Byte.toUnsignedInt(code.get(pc * 8 + 3));
			int k = code.getInt(pc * 8 + 4);
			switch (opcode) {
				case 0x20 -> {
					if (k < 0 || k >= SECCOMP_DATA_SIZE || (k & 3) != 0) {
						throw new AssertionError("bad load offset " + k + " at " + pc);
					}
				}
				case 0x54, 0x06 -> {
				}
				case 0x05 -> {
					if (Integer.toUnsignedLong(k) >= length - pc - 1) {
						throw new AssertionError("JA out of range at " + pc);
					}
				}
				case 0x15, 0x25, 0x35, 0x45 -> {
					if (pc + jt + 1 >= length || pc + jf + 1 >= length) {
						throw new AssertionError("conditional jump out of range at " + pc);
					}
				}
				default -> throw new AssertionError("opcode 0x" + Integer.toHexString(opcode) + " at " + pc
						+ " is not one the seccomp action cache evaluates");
			}
		}
		int last = Short.toUnsignedInt(code.getShort((length - 1) * 8));
		if (last != 0x06) {
			throw new AssertionError("the last instruction is not a return");
		}
	}

	/** Counts the {@code JA} instructions, which the assembler only uses for long jumps. */
	static int longJumps(byte[] program) {
		ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
		int count = 0;
		for (int pc = 0; pc < program.length / 8; pc++) {
			if (code.getShort(pc * 8) == 0x05) {
				count++;
			}
		}
		return count;
	}

	private static void check(boolean condition, int pc, int opcode) {
		if (!condition) {
			throw new AssertionError("unexpected opcode 0x" + Integer.toHexString(opcode) + " at " + pc);
		}
	}

}
