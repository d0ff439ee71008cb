package dev.berth.runtime.seccomp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.SpecException;

/**
 * A validated {@code linux.seccomp}: actions as return values, operators as {@link Comparison}s,
 * architectures resolved. Reading checks every rule, also those no system call of this host
 * uses, so a broken profile fails on every host rather than only where the rule applies.
 *
 * @param defaultAction what a system call that no rule matches gets
 * @param architectures the architectures to filter, the host's first
 * @param flags the {@code SECCOMP_FILTER_FLAG_*} bits
 * @param rules the rules in profile order
 */
record SeccompPolicy(int defaultAction, List<SeccompArch> architectures, int flags, List<Rule> rules) {

	static final String FIELD = "linux.seccomp";

	static SeccompPolicy read(RuntimeSpec.Seccomp seccomp, SeccompArch host) {
		int defaultAction = SeccompActions.parse(seccomp.defaultAction(), seccomp.defaultErrnoRet(),
				FIELD + ".defaultAction", FIELD + ".defaultErrnoRet");
		List<SeccompArch> architectures = architectures(listOrEmpty(seccomp.architectures()), host);
		int flags = flags(listOrEmpty(seccomp.flags()));
		List<Rule> rules = new ArrayList<>();
		List<RuntimeSpec.SeccompRule> syscalls = listOrEmpty(seccomp.syscalls());
		for (int i = 0; i < syscalls.size(); i++) {
			rules.add(Rule.read(syscalls.get(i), FIELD + ".syscalls[" + i + "]"));
		}
		return new SeccompPolicy(defaultAction, architectures, flags, List.copyOf(rules));
	}

	/**
	 * The host's architecture is always filtered, listed or not, as libseccomp (and so runc)
	 * always includes it; architectures without a system call table are left out.
	 */
	private static List<SeccompArch> architectures(List<String> tokens, SeccompArch host) {
		Set<SeccompArch> architectures = new LinkedHashSet<>();
		architectures.add(host);
		for (int i = 0; i < tokens.size(); i++) {
			SeccompArch arch = SeccompArch.forToken(tokens.get(i), FIELD + ".architectures[" + i + "]");
			if (arch != null) {
				architectures.add(arch);
			}
		}
		return List.copyOf(architectures);
	}

	private static int flags(List<String> names) {
		int flags = 0;
		for (int i = 0; i < names.size(); i++) {
			String field = FIELD + ".flags[" + i + "]";
			String name = names.get(i);
			flags |= switch ((name != null) ? name : "") {
				case "SECCOMP_FILTER_FLAG_TSYNC" -> SeccompProgram.FLAG_TSYNC;
				case "SECCOMP_FILTER_FLAG_LOG" -> SeccompProgram.FLAG_LOG;
				case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> SeccompProgram.FLAG_SPEC_ALLOW;
				case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" -> throw new SpecException(
						field + ": SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported (it only affects "
								+ "SCMP_ACT_NOTIFY, which Berth does not support)");
				default -> throw new SpecException(field + ": unknown flag \"" + name + "\"");
			};
		}
		return flags;
	}

	/**
	 * What each system call of {@code arch} is checked against, in profile order, keyed by its
	 * number. Names the architecture does not have are skipped, as runc skips them: profiles
	 * list system calls of every kernel and architecture they are meant for. Rules whose action
	 * is the default action are left out, as runc leaves them out, so they never shadow a later
	 * rule for the same system call.
	 */
	NavigableMap<Integer, List<Case>> casesBySyscall(SeccompArch arch) {
		SyscallTable table = SyscallTable.of(arch);
		NavigableMap<Integer, List<Case>> cases = new TreeMap<>(Integer::compareUnsigned);
		for (Rule rule : this.rules) {
			if (rule.action() == this.defaultAction) {
				continue;
			}
			Case rulesCase = new Case(rule.checks(), rule.action());
			for (String name : rule.names()) {
				table.number(name).ifPresent((number) -> addCase(cases, number, rulesCase));
			}
		}
		cases.replaceAll((number, list) -> List.copyOf(list));
		return cases;
	}

	/**
	 * The highest number (unsigned, as {@code seccomp_data.nr} carries it) of a system call of
	 * {@code arch} that any rule names, also a rule left out for repeating the default action:
	 * naming a system call says the profile knows it, whatever it does with it.
	 */
	OptionalInt highestSyscall(SeccompArch arch) {
		SyscallTable table = SyscallTable.of(arch);
		OptionalInt highest = OptionalInt.empty();
		for (Rule rule : this.rules) {
			for (String name : rule.names()) {
				OptionalInt number = table.number(name);
				if (number.isPresent() && (highest.isEmpty()
						|| Integer.compareUnsigned(number.getAsInt(), highest.getAsInt()) > 0)) {
					highest = number;
				}
			}
		}
		return highest;
	}

	private static void addCase(Map<Integer, List<Case>> cases, int number, Case added) {
		List<Case> list = cases.computeIfAbsent(number, (key) -> new ArrayList<>());
		boolean reachable = list.stream().noneMatch((existing) -> existing.unconditional() || existing.equals(added));
		if (reachable) {
			list.add(added);
		}
	}

	private static <T> List<T> listOrEmpty(List<T> list) {
		return (list != null) ? list : List.of();
	}

	/** A rule of the profile, validated. */
	record Rule(List<String> names, List<ArgumentCheck> checks, int action) {

		static Rule read(RuntimeSpec.SeccompRule rule, String field) {
			int action = SeccompActions.parse(rule.action(), rule.errnoRet(), field + ".action", field + ".errnoRet");
			List<String> names = listOrEmpty(rule.names());
			for (int i = 0; i < names.size(); i++) {
				if (names.get(i) == null || names.get(i).isEmpty()) {
					throw new SpecException(field + ".names[" + i + "]: empty system call name");
				}
			}
			List<RuntimeSpec.SeccompArg> args = listOrEmpty(rule.args());
			List<ArgumentCheck> checks = new ArrayList<>(args.size());
			for (int i = 0; i < args.size(); i++) {
				checks.add(check(args.get(i), field + ".args[" + i + "]"));
			}
			return new Rule(List.copyOf(names), List.copyOf(checks), action);
		}

		private static ArgumentCheck check(RuntimeSpec.SeccompArg arg, String field) {
			if (arg.index() < 0 || arg.index() > 5) {
				throw new SpecException(field + ".index: must be 0..5, got " + arg.index());
			}
			Comparison comparison = Comparison.forToken(arg.op(), field + ".op");
			return new ArgumentCheck(arg.index(), comparison, arg.value(), arg.valueTwo());
		}

	}

	/**
	 * One rule as it applies to one system call: the action, if every check passes. A system
	 * call's cases are tried in order; the first whose checks all pass decides.
	 */
	record Case(List<ArgumentCheck> checks, int action) {

		boolean unconditional() {
			return this.checks.isEmpty();
		}

	}

}
