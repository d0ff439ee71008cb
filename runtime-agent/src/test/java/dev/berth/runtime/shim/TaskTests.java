package dev.berth.runtime.shim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task's phase in either order of its start's return and its exit: a workload like {@code true}
 * can be reaped before the start that released it returns, and must not look as if it still ran.
 */
class TaskTests {

	private static final ExitStatus EXITED = new ExitStatus(0, 1L, false);

	@Test
	void aStartedTaskRunsUntilItIsReaped() {
		Task task = new Task("c1", "", false, null, Task.StdioConfig.NONE);
		task.started();
		assertThat(task.phase()).isEqualTo(Task.Phase.RUNNING);
		task.reaped(EXITED, false);
		assertThat(task.phase()).isEqualTo(Task.Phase.STOPPED);
		assertThat(task.exit()).isCompletedWithValue(EXITED);
	}

	@Test
	void aTaskReapedBeforeItsStartReturnedStaysStopped() {
		Task task = new Task("c1", "", false, null, Task.StdioConfig.NONE);
		task.reaped(EXITED, false);
		task.started();
		assertThat(task.phase()).isEqualTo(Task.Phase.STOPPED);
		assertThat(task.exit()).isCompletedWithValue(EXITED);
	}

}
