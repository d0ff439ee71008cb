package dev.berth.gateway.server;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -H} values as dockerd reads them (its defaults checked against dockerd 20.10). */
class DockerHostTests {

	@Test
	void tcpFillsInLocalhostAndPort2375WhatIsMissing() {
		assertThat(DockerHost.parse("tcp://0.0.0.0:2376")).isEqualTo(new DockerHost.Tcp("0.0.0.0", 2376));
		assertThat(DockerHost.parse("tcp://127.0.0.1")).isEqualTo(new DockerHost.Tcp("127.0.0.1", 2375));
		assertThat(DockerHost.parse("tcp://:2376")).isEqualTo(new DockerHost.Tcp("localhost", 2376));
		assertThat(DockerHost.parse("tcp://")).isEqualTo(new DockerHost.Tcp("localhost", 2375));
		// no scheme is TCP, as in dockerd
		assertThat(DockerHost.parse("127.0.0.1:2377")).isEqualTo(new DockerHost.Tcp("127.0.0.1", 2377));
	}

	@Test
	void ipv6NeedsBrackets() {
		assertThat(DockerHost.parse("tcp://[::1]:2376")).isEqualTo(new DockerHost.Tcp("::1", 2376));
		assertThat(DockerHost.parse("tcp://[::1]")).isEqualTo(new DockerHost.Tcp("::1", 2375));
		assertThat(DockerHost.parse("tcp://[::1]:2376")).hasToString("tcp://[::1]:2376");
		assertThatThrownBy(() -> DockerHost.parse("tcp://::1:2376")).isInstanceOf(HostRefusedException.class)
			.hasMessage("invalid bind address (tcp://::1:2376): an IPv6 address needs brackets: tcp://[::1]:2376");
	}

	@Test
	void unixSocketsNeedAnAbsolutePathOrTakeBerthsDefault() {
		assertThat(DockerHost.parse("unix:///var/run/docker.sock"))
			.isEqualTo(new DockerHost.Unix(Path.of("/var/run/docker.sock")));
		assertThat(DockerHost.parse("unix://")).isEqualTo(new DockerHost.Unix(Path.of("/run/berth/docker.sock")));
		assertThatThrownBy(() -> DockerHost.parse("unix://docker.sock")).isInstanceOf(HostRefusedException.class)
			.hasMessage("invalid bind address (unix://docker.sock): a unix socket needs an absolute path");
	}

	@Test
	void whatCannotBeServedIsRefusedInDockerdsWords() {
		assertThatThrownBy(() -> DockerHost.parse("fd://")).isInstanceOf(HostRefusedException.class)
			.hasMessageStartingWith("fd:// hosts are sockets handed over by systemd, which Berth does not take");
		assertThatThrownBy(() -> DockerHost.parse("npipe:////./pipe/docker_engine"))
			.hasMessage("invalid bind address (npipe:////./pipe/docker_engine): unsupported proto 'npipe'");
		assertThatThrownBy(() -> DockerHost.parse("tcp://127.0.0.1:2375/path"))
			.hasMessage("invalid bind address (tcp://127.0.0.1:2375/path): should not contain a path element");
		assertThatThrownBy(() -> DockerHost.parse("tcp://127.0.0.1:0")).hasMessageEndingWith("invalid port: 0");
		assertThatThrownBy(() -> DockerHost.parse("tcp://127.0.0.1:http")).hasMessageEndingWith("invalid port: http");
	}

}
