package dev.berth.gateway.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

import dev.berth.gateway.GatewayProperties;

/**
 * Puts Tomcat's connectors on the unix sockets of {@code berth.gateway.hosts} instead of a TCP port: the first host
 * takes the default connector, every further one gets a connector of its own.
 */
@Component
class UnixSocketConnectors implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

	private static final Log logger = LogFactory.getLog(UnixSocketConnectors.class);

	// dockerd's socket mode: root and its group only; a client that may talk to it may start privileged containers
	private static final String SOCKET_PERMISSIONS = "rw-rw----";

	// Tomcat refuses to bind in a directory more open than this, and creates a missing one with it: others may
	// look (as in /run), but only its owner may replace the socket
	private static final String DIRECTORY_PERMISSIONS = "rwxr-xr-x";

	private final List<DockerHost> hosts;

	UnixSocketConnectors(GatewayProperties properties) {
		this.hosts = properties.hosts().stream().map(DockerHost::parse).toList();
	}

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		factory.addContextCustomizers((context) -> ((StandardHost) context.getParent())
			.setErrorReportValveClass(DockerErrorReportValve.class.getName()));
		for (int i = 0; i < this.hosts.size(); i++) {
			Path socket = this.hosts.get(i).socket();
			prepare(socket);
			if (i == 0) {
				factory.addConnectorCustomizers((connector) -> listenOn(connector, socket));
			}
			else {
				Connector connector = new Connector(factory.getProtocol());
				listenOn(connector, socket);
				factory.addAdditionalConnectors(connector);
			}
			logger.info("API listening on unix://" + socket);
		}
	}

	private static void listenOn(Connector connector, Path socket) {
		// Tomcat binds the path instead of a port, and sets the mode itself right after bind (no window with a wider mode)
		connector.setProperty("unixDomainSocketPath", socket.toString());
		connector.setProperty("unixDomainSocketPathPermissions", SOCKET_PERMISSIONS);
		connector.setProperty("unixDomainSocketParentPermissions", DIRECTORY_PERMISSIONS);
	}

	/**
	 * Removes a socket left by an engine that did not stop cleanly; a socket that still answers belongs to a running
	 * engine and is refused, as dockerd refuses a second daemon.
	 */
	private static void prepare(Path socket) {
		try {
			if (Files.exists(socket)) {
				if (answers(socket)) {
					throw new IllegalStateException(socket + " is in use by another process");
				}
				Files.delete(socket);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot prepare " + socket, ex);
		}
	}

	private static boolean answers(Path socket) {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			return channel.connect(UnixDomainSocketAddress.of(socket));
		}
		catch (IOException ex) {
			return false;
		}
	}

}
