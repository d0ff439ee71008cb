package dev.berth.runtime.seccomp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.OptionalInt;

import dev.berth.runtime.seccomp.BpfAssembler.Label;
import dev.berth.runtime.seccomp.SeccompPolicy.Case;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.SpecException;

/**
 * Compiles an OCI {@code linux.seccomp} profile into the classic BPF program the kernel's
 * {@code seccomp(2)} loads, in plain Java, so the container init needs no libseccomp.
 *
 * <p>The program checks {@code seccomp_data.arch} first and gives any architecture the profile
 * does not cover {@link #BAD_ARCH_ACTION}. On x86_64 it then splits x32 system calls (number
 * with {@link SeccompArch#X32_SYSCALL_BIT}) from native ones, so neither matches the other's
 * rules. Each architecture's system calls are found by a binary search over number ranges
 * down to small leaves of at most {@value #RANGES_PER_LEAF} ranges tested one after the other;
 * ranges of neighbouring numbers with the same rules cost one test, so the search stays short
 * even for Docker's default profile on three architectures. A system call's rules are tried in
 * profile order and the first whose argument checks all pass decides; when none does, the
 * default action applies.
 *
 * <p>When the default action does not let system calls run (not ALLOW, LOG or TRACE), a system
 * call numbered above the highest one the profile names for its architecture returns
 * {@code ENOSYS} instead, as runc's filters do. Such a call is newer than the profile, and glibc
 * probes new system calls ({@code clone3}, {@code faccessat2}, {@code openat2}, ...) and falls
 * back to the older ones only on {@code ENOSYS}: an {@code EPERM} from an allow-list profile
 * written before the call existed would make the program fail instead. The test costs nothing
 * on the path of a listed system call; x32 numbers are compared with the x32 bit, as the
 * kernel passes them.
 */
public final class SeccompCompiler {

	/** {@code BPF_MAXINSNS}: the kernel rejects longer programs. */
	public static final int MAX_INSTRUCTIONS = 4096;

	/**
	 * What a system call of an architecture the profile does not cover gets. libseccomp (and so
	 * runc) kills the calling thread; Berth kills the process, because killing one thread of a
	 * multi-threaded program leaves the rest running in a state nobody planned for, and such a
	 * call comes from an exploit or from a binary the profile was not written for.
	 */
	static final int BAD_ARCH_ACTION = SeccompActions.KILL_PROCESS;

	/** What a system call newer than an allow-list profile gets; see the class comment. */
	static final int NEWER_SYSCALL_ACTION = SeccompActions.ERRNO | SeccompActions.ENOSYS;

	static final int RANGES_PER_LEAF = 8;

	private static final int NR_OFFSET = 0;

	private static final int ARCH_OFFSET = 4;

	private final SeccompPolicy policy;

	private final BpfAssembler code = new BpfAssembler();

	private SeccompCompiler(SeccompPolicy policy) {
		this.policy = policy;
	}

	/** Compiles {@code seccomp} for the architecture this JVM runs on. */
	public static SeccompProgram compile(RuntimeSpec.Seccomp seccomp) {
		return compile(seccomp, System.getProperty("os.arch"));
	}

	/**
	 * Compiles {@code seccomp} for a host of architecture {@code nativeArch}: {@code amd64},
	 * {@code x86_64}, {@code aarch64}, {@code arm64} or a {@code SCMP_ARCH_*} name.
	 * @throws SpecException naming the field, if the profile cannot be compiled
	 */
	public static SeccompProgram compile(RuntimeSpec.Seccomp seccomp, String nativeArch) {
		Objects.requireNonNull(seccomp, "seccomp");
		Objects.requireNonNull(nativeArch, "nativeArch");
		SeccompPolicy policy = SeccompPolicy.read(seccomp, SeccompArch.forHost(nativeArch));
		byte[] filter = new SeccompCompiler(policy).generate();
		int instructions = filter.length / BpfAssembler.INSTRUCTION_SIZE;
		if (instructions > MAX_INSTRUCTIONS) {
			throw new SpecException(SeccompPolicy.FIELD + ": the filter needs " + instructions
					+ " BPF instructions, more than the kernel's limit of " + MAX_INSTRUCTIONS
					+ "; use fewer architectures or fewer argument rules");
		}
		return new SeccompProgram(filter, policy.flags());
	}

	private byte[] generate() {
		Map<Integer, List<SeccompArch>> byAuditArch = new LinkedHashMap<>();
		for (SeccompArch arch : this.policy.architectures()) {
			byAuditArch.computeIfAbsent(arch.auditArch(), (key) -> new ArrayList<>()).add(arch);
		}
		Map<Integer, Label> sections = new LinkedHashMap<>();
		this.code.load(ARCH_OFFSET);
		for (int auditArch : byAuditArch.keySet()) {
			Label section = this.code.label();
			Label next = this.code.label();
			this.code.jumpIfEqual(auditArch, section, next);
			this.code.bind(next);
			sections.put(auditArch, section);
		}
		this.code.returnAction(BAD_ARCH_ACTION);
		for (Map.Entry<Integer, Label> section : sections.entrySet()) {
			List<SeccompArch> architectures = byAuditArch.get(section.getKey());
			this.code.bind(section.getValue());
			this.code.load(NR_OFFSET);
			if (section.getKey() == SeccompArch.X86_64.auditArch()) {
				Label x32 = this.code.label();
				Label x8664 = this.code.label();
				this.code.jumpIfAnyBitSet(SeccompArch.X32_SYSCALL_BIT, x32, x8664);
				this.code.bind(x8664);
				emitSyscalls(architectures.contains(SeccompArch.X86_64) ? SeccompArch.X86_64 : null);
				this.code.bind(x32);
				emitSyscalls(architectures.contains(SeccompArch.X32) ? SeccompArch.X32 : null);
			}
			else {
				emitSyscalls(architectures.getFirst());
			}
		}
		return this.code.assemble();
	}

	/** Decides on the system call number in A; {@code null} means the profile does not cover it. */
	private void emitSyscalls(SeccompArch arch) {
		if (arch == null) {
			this.code.returnAction(BAD_ARCH_ACTION);
			return;
		}
		List<Range> ranges = ranges(this.policy.casesBySyscall(arch));
		OptionalInt newerThan = newerThan(arch);
		if (ranges.isEmpty()) {
			emitUnmatched(this.code.label(), newerThan);
			return;
		}
		List<List<Range>> leaves = new ArrayList<>();
		for (int i = 0; i < ranges.size(); i += RANGES_PER_LEAF) {
			leaves.add(ranges.subList(i, Math.min(i + RANGES_PER_LEAF, ranges.size())));
		}
		emitSearch(leaves, 0, leaves.size(), newerThan);
	}

	/**
	 * The number above which a system call of {@code arch} gets {@code ENOSYS}, or empty if the
	 * default action applies to all unmatched calls: because it lets them run, because it already
	 * is {@code ENOSYS}, or because the profile names no system call of {@code arch}.
	 */
	private OptionalInt newerThan(SeccompArch arch) {
		int defaultAction = this.policy.defaultAction();
		if (SeccompActions.runs(defaultAction) || defaultAction == NEWER_SYSCALL_ACTION) {
			return OptionalInt.empty();
		}
		return this.policy.highestSyscall(arch);
	}

	/** Neighbouring numbers with the same cases merged into ranges, in ascending order. */
	private static List<Range> ranges(NavigableMap<Integer, List<Case>> casesBySyscall) {
		List<Range> ranges = new ArrayList<>();
		for (Map.Entry<Integer, List<Case>> entry : casesBySyscall.entrySet()) {
			int number = entry.getKey();
			Range last = ranges.isEmpty() ? null : ranges.getLast();
			if (last != null && last.last() + 1 == number && last.cases().equals(entry.getValue())) {
				ranges.set(ranges.size() - 1, new Range(last.first(), number, last.cases()));
			}
			else {
				ranges.add(new Range(number, number, entry.getValue()));
			}
		}
		return ranges;
	}

	/** Only the last leaf sees numbers above every range, so only it tests {@code newerThan}. */
	private void emitSearch(List<List<Range>> leaves, int from, int to, OptionalInt newerThan) {
		if (to - from == 1) {
			emitLeaf(leaves.get(from), (to == leaves.size()) ? newerThan : OptionalInt.empty());
			return;
		}
		int middle = (from + to) >>> 1;
		Label lower = this.code.label();
		Label upper = this.code.label();
		this.code.jumpIfGreaterOrEqual(leaves.get(middle).getFirst().first(), upper, lower);
		this.code.bind(lower);
		emitSearch(leaves, from, middle, newerThan);
		this.code.bind(upper);
		emitSearch(leaves, middle, to, newerThan);
	}

	/**
	 * Tests the ranges in ascending order. A number below the range under test is below all that
	 * follow too, so it goes straight to the default action; only one that passes every range
	 * can be newer than the profile.
	 */
	private void emitLeaf(List<Range> ranges, OptionalInt newerThan) {
		Label unmatched = this.code.label();
		Map<List<Case>, Label> targets = new LinkedHashMap<>();
		for (Range range : ranges) {
			Label target = targets.computeIfAbsent(range.cases(), (cases) -> this.code.label());
			Label next = this.code.label();
			if (range.first() == range.last()) {
				this.code.jumpIfEqual(range.first(), target, next);
			}
			else {
				Label notBelow = this.code.label();
				this.code.jumpIfGreaterOrEqual(range.first(), notBelow, unmatched);
				this.code.bind(notBelow);
				this.code.jumpIfGreater(range.last(), next, target);
			}
			this.code.bind(next);
		}
		emitUnmatched(unmatched, newerThan);
		for (Map.Entry<List<Case>, Label> target : targets.entrySet()) {
			this.code.bind(target.getValue());
			emitCases(target.getKey());
		}
	}

	/**
	 * With a number in A that no rule names: {@code ENOSYS} if it is above {@code newerThan},
	 * else the default action, which {@code unmatched} is bound to.
	 */
	private void emitUnmatched(Label unmatched, OptionalInt newerThan) {
		if (newerThan.isEmpty()) {
			this.code.bind(unmatched);
			this.code.returnAction(this.policy.defaultAction());
			return;
		}
		Label newer = this.code.label();
		this.code.jumpIfGreater(newerThan.getAsInt(), newer, unmatched);
		this.code.bind(unmatched);
		this.code.returnAction(this.policy.defaultAction());
		this.code.bind(newer);
		this.code.returnAction(NEWER_SYSCALL_ACTION);
	}

	private void emitCases(List<Case> cases) {
		for (Case candidate : cases) {
			if (candidate.unconditional()) {
				this.code.returnAction(candidate.action());
				return;
			}
			Label nextCase = this.code.label();
			for (ArgumentCheck check : candidate.checks()) {
				emitCheck(check, nextCase);
			}
			this.code.returnAction(candidate.action());
			this.code.bind(nextCase);
		}
		this.code.returnAction(this.policy.defaultAction());
	}

	/**
	 * Falls through if the check passes, else jumps to {@code failed}. BPF compares 32 bits at a
	 * time, unsigned: the high words decide unless they are equal, then the low words do.
	 */
	private void emitCheck(ArgumentCheck check, Label failed) {
		Label passed = this.code.label();
		Label lowWord = this.code.label();
		int high = (int) (check.value() >>> 32);
		int low = (int) check.value();
		this.code.load(check.highWordOffset());
		switch (check.comparison()) {
			case EQUAL -> {
				this.code.jumpIfEqual(high, lowWord, failed);
				this.code.bind(lowWord);
				this.code.load(check.lowWordOffset());
				this.code.jumpIfEqual(low, passed, failed);
			}
			case NOT_EQUAL -> {
				this.code.jumpIfEqual(high, lowWord, passed);
				this.code.bind(lowWord);
				this.code.load(check.lowWordOffset());
				this.code.jumpIfEqual(low, failed, passed);
			}
			case GREATER, GREATER_OR_EQUAL -> {
				emitHighWordOrder(high, passed, lowWord, failed);
				this.code.bind(lowWord);
				this.code.load(check.lowWordOffset());
				if (check.comparison() == Comparison.GREATER) {
					this.code.jumpIfGreater(low, passed, failed);
				}
				else {
					this.code.jumpIfGreaterOrEqual(low, passed, failed);
				}
			}
			case LESS, LESS_OR_EQUAL -> {
				emitHighWordOrder(high, failed, lowWord, passed);
				this.code.bind(lowWord);
				this.code.load(check.lowWordOffset());
				if (check.comparison() == Comparison.LESS) {
					this.code.jumpIfGreaterOrEqual(low, failed, passed);
				}
				else {
					this.code.jumpIfGreater(low, failed, passed);
				}
			}
			case MASKED_EQUAL -> {
				int datumHigh = (int) (check.valueTwo() >>> 32);
				int datumLow = (int) check.valueTwo();
				this.code.and(high);
				this.code.jumpIfEqual(datumHigh, lowWord, failed);
				this.code.bind(lowWord);
				this.code.load(check.lowWordOffset());
				this.code.and(low);
				this.code.jumpIfEqual(datumLow, passed, failed);
			}
		}
		this.code.bind(passed);
	}

	/** With the argument's high word in A: to {@code above}, {@code equal} or {@code below}. */
	private void emitHighWordOrder(int high, Label above, Label equal, Label below) {
		Label notAbove = this.code.label();
		this.code.jumpIfGreater(high, above, notAbove);
		this.code.bind(notAbove);
		this.code.jumpIfEqual(high, equal, below);
	}

	/** System call numbers {@code first..last} (unsigned, inclusive) and what decides on them. */
	private record Range(int first, int last, List<Case> cases) {
	}

}
