package dev.berth.runtime.seccomp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SyscallTableTests {

	@Test
	void x8664() {
		SyscallTable table = SyscallTable.of(SeccompArch.X86_64);
		assertThat(table.number("read")).hasValue(0);
		assertThat(table.number("getpid")).hasValue(39);
		assertThat(table.number("mkdir")).hasValue(83);
		assertThat(table.number("seccomp")).hasValue(317);
		assertThat(table.number("clone3")).hasValue(435);
		assertThat(table.number("waitpid")).isEmpty();
		assertThat(table.names()).hasSizeGreaterThan(350);
	}

	@Test
	void i386() {
		SyscallTable table = SyscallTable.of(SeccompArch.X86);
		assertThat(table.number("restart_syscall")).hasValue(0);
		assertThat(table.number("getpid")).hasValue(20);
		assertThat(table.number("mkdir")).hasValue(39);
		assertThat(table.number("socketcall")).hasValue(102);
		assertThat(table.number("seccomp")).hasValue(354);
		assertThat(table.number("newfstatat")).isEmpty();
	}

	@Test
	void x32NumbersCarryTheX32Bit() {
		SyscallTable table = SyscallTable.of(SeccompArch.X32);
		assertThat(table.number("read")).hasValue(0x4000_0000);
		assertThat(table.number("mkdir")).hasValue(0x4000_0000 | 83);
		assertThat(table.number("rt_sigaction")).hasValue(0x4000_0000 | 512);
		assertThat(table.number("execve")).hasValue(0x4000_0000 | 520);
		assertThat(table.names()).allSatisfy(
				(name) -> assertThat(table.number(name).getAsInt() & SeccompArch.X32_SYSCALL_BIT).isNotZero());
	}

	@Test
	void aarch64ResolvesTheGenericTablesIndirections() {
		SyscallTable table = SyscallTable.of(SeccompArch.AARCH64);
		assertThat(table.number("io_setup")).hasValue(0);
		assertThat(table.number("fcntl")).hasValue(25);
		assertThat(table.number("statfs")).hasValue(43);
		assertThat(table.number("lseek")).hasValue(62);
		assertThat(table.number("sendfile")).hasValue(71);
		assertThat(table.number("newfstatat")).hasValue(79);
		assertThat(table.number("fstat")).hasValue(80);
		assertThat(table.number("sync_file_range")).hasValue(84);
		assertThat(table.number("getpid")).hasValue(172);
		assertThat(table.number("mmap")).hasValue(222);
		assertThat(table.number("fadvise64")).hasValue(223);
		assertThat(table.number("clone3")).hasValue(435);
		assertThat(table.number("memfd_secret")).hasValue(447);
		assertThat(table.number("mkdir")).isEmpty();
		assertThat(table.number("fcntl64")).isEmpty();
		assertThat(table.number("mmap2")).isEmpty();
		assertThat(table.number("syscalls")).isEmpty();
	}

	@Test
	void tablesAreLoadedOnce() {
		assertThat(SyscallTable.of(SeccompArch.X86_64)).isSameAs(SyscallTable.of(SeccompArch.X86_64));
	}

}
