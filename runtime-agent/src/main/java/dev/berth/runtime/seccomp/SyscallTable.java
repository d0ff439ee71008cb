package dev.berth.runtime.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * System call numbers of one architecture, read on first use from the tables that
 * {@code runtime-agent/scripts/generate-syscall-tables.sh} generates from kernel headers. Loading
 * is lazy because a container init only ever needs the architectures its profile names.
 */
final class SyscallTable {

	private static final Map<SeccompArch, SyscallTable> LOADED = new ConcurrentHashMap<>();

	private final SeccompArch arch;

	private final Map<String, Integer> numbers;

	private SyscallTable(SeccompArch arch, Map<String, Integer> numbers) {
		this.arch = arch;
		this.numbers = numbers;
	}

	static SyscallTable of(SeccompArch arch) {
		return LOADED.computeIfAbsent(arch, SyscallTable::load);
	}

	/** The number as {@code seccomp_data.nr} carries it (x32 numbers include the x32 bit). */
	OptionalInt number(String name) {
		Integer number = this.numbers.get(name);
		return (number != null) ? OptionalInt.of(number) : OptionalInt.empty();
	}

	Set<String> names() {
		return this.numbers.keySet();
	}

	SeccompArch arch() {
		return this.arch;
	}

	private static SyscallTable load(SeccompArch arch) {
		String resource = "syscalls-" + arch.tableName() + ".txt";
		try (InputStream in = SyscallTable.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("System call table " + resource + " is missing from the classpath");
			}
			BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
			Map<String, Integer> numbers = new HashMap<>();
			String line;
			int lineNumber = 0;
			while ((line = reader.readLine()) != null) {
				lineNumber++;
				line = line.strip();
				if (line.isEmpty() || line.startsWith("#")) {
					continue;
				}
				// by hand, not with regular expressions: every container init reads these tables in a
				// fresh JVM, where compiling two patterns per line cost more than the rest of the read
				int space = line.indexOf(' ');
				String name = (space > 0) ? line.substring(0, space) : "";
				String number = (space > 0) ? line.substring(space + 1).strip() : "";
				if (name.isEmpty() || !isNumber(number) || numbers.put(name, Integer.parseUnsignedInt(number)) != null) {
					throw new IllegalStateException(resource + ":" + lineNumber + ": bad entry \"" + line + "\"");
				}
			}
			return new SyscallTable(arch, Collections.unmodifiableMap(numbers));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + resource, ex);
		}
	}

	/** One to ten decimal digits: a system call number, as the generated tables write them. */
	private static boolean isNumber(String text) {
		if (text.isEmpty() || text.length() > 10) {
			return false;
		}
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) < '0' || text.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

}
