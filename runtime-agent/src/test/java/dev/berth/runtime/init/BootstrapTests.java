package dev.berth.runtime.init;

import org.junit.jupiter.api.Test;

import dev.berth.runtime.seccomp.SeccompCompiler;
import dev.berth.runtime.seccomp.SeccompProgram;
import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;
import dev.berth.runtime.spec.RuntimeSpec;
import dev.berth.runtime.spec.SpecException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BootstrapTests {

	private static final String SPEC = """
			{"ociVersion":"1.2.0","process":{"args":["sh"],"cwd":"/","user":{"uid":0,"gid":0}},"root":{"path":"rootfs"},
			"hostname":"h","linux":{"namespaces":[{"type":"mount"}],"maskedPaths":["/proc/kcore"],
			"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG"],
			"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}}}
			""";

	@Test
	void theCompiledProgramReplacesTheProfileTheInitReads() {
		SeccompProgram compiled = SeccompCompiler.compile(RuntimeSpec.parse(SPEC).linux().seccomp());
		Bootstrap received = Bootstrap.parse(Bootstrap.standard(JsonObject.parse(SPEC), "/r", false, compiled).toJson());
		assertThat(received.seccomp().filter()).isEqualTo(compiled.filter());
		assertThat(received.seccomp().flags()).isEqualTo(SeccompProgram.FLAG_LOG).isEqualTo(compiled.flags());
		RuntimeSpec spec = received.spec();
		assertThat(spec.linux().seccomp()).isNull();
		assertThat(spec.linux().maskedPaths()).containsExactly("/proc/kcore");
		assertThat(spec.hostname()).isEqualTo("h");
		assertThat(spec.process().args()).containsExactly("sh");
	}

	@Test
	void anExecGetsTheContainersProgram() {
		SeccompProgram compiled = SeccompCompiler.compile(RuntimeSpec.parse(SPEC).linux().seccomp());
		Bootstrap received = Bootstrap
			.parse(Bootstrap.setns(JsonObject.parse(SPEC), JsonObject.parse("{\"args\":[\"ls\"],\"cwd\":\"/\"}"), 42,
				false, compiled).toJson());
		assertThat(received.seccomp().filter()).isEqualTo(compiled.filter());
		assertThat(received.spec().linux().seccomp()).isNull();
		assertThat(received.process().args()).containsExactly("ls");
		assertThat(received.targetPid()).isEqualTo(42);
	}

	@Test
	void aSpecWithoutProfileGoesAsItIs() {
		String spec = "{\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"linux\":{}}";
		Bootstrap received = Bootstrap.parse(Bootstrap.standard(JsonObject.parse(spec), "/r", true, null).toJson());
		assertThat(received.seccomp()).isNull();
		assertThat(Json.write(received.specDocument().fields())).isEqualTo(spec);
		assertThat(received.consoleSocket()).isTrue();
	}

	@Test
	void theSpecAndProcessTravelAsObjectsWhoseErrorsNameFieldsFromTheirRoot() {
		String json = Bootstrap.setns(JsonObject.parse(SPEC), JsonObject.parse("{\"args\":[],\"cwd\":\"/\"}"), 42, false,
				null).toJson();
		assertThat(json).contains("\"spec\":{\"ociVersion\"").contains("\"process\":{\"args\":[]");
		Bootstrap received = Bootstrap.parse(json);
		assertThatExceptionOfType(SpecException.class).isThrownBy(received::process)
			.withMessage("args: at least one argument is required");
	}

	@Test
	void theInitRefusesAProfileThatDidNotComeCompiled() {
		RuntimeSpec spec = RuntimeSpec.parse(SPEC);
		assertThatIllegalArgumentException().isThrownBy(() -> new ProcessSetup(spec, spec.process(), null))
			.withMessageContaining("linux.seccomp");
	}

}
