package dev.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc tells of a process: is it still the one we started, and is it a zombie. */
public final class ProcessInfo {

	private ProcessInfo() {
	}

	/** Field 22 of /proc/<pid>/stat, the start time in clock ticks; 0 when the process is gone. */
	static long startTime(int pid) {
		String[] fields = statFields(pid);
		return (fields != null) ? Long.parseLong(fields[19]) : 0;
	}

	/** True while {@code pid} runs: it exists and is not a zombie waiting to be reaped. */
	public static boolean isRunning(int pid) {
		return isAlive(pid, 0);
	}

	/** True while {@code pid} is alive (not a zombie) and is still the process that started then. */
	static boolean isAlive(int pid, long startTime) {
		String[] fields = statFields(pid);
		if (fields == null || fields[0].equals("Z") || fields[0].equals("X")) {
			return false;
		}
		return startTime == 0 || Long.parseLong(fields[19]) == startTime;
	}

	/** The fields after the command name; [0] is the state letter (field 3). */
	private static String[] statFields(int pid) {
		if (pid <= 0) {
			return null;
		}
		try {
			String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
			// the command may hold spaces and parentheses: split after the last ')'
			return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		}
		catch (IOException ex) {
			return null;
		}
	}

}
