package dev.berth.gateway.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.catalina.connector.Connector;

/** A connector on a unix socket, mode 0660: root and its group, as dockerd's. */
record UnixSocketConnector(Path socket) implements DockerApiConnectors.ConnectorSetup {

	// dockerd's socket mode: root and its group only; a client that may talk to it may start privileged containers
	private static final String SOCKET_PERMISSIONS = "rw-rw----";

	// Tomcat refuses to bind in a directory more open than this, and creates a missing one with it: others may
	// look (as in /run), but only its owner may replace the socket
	private static final String DIRECTORY_PERMISSIONS = "rwxr-xr-x";

	/**
	 * Removes a socket left by an engine that did not stop cleanly; a socket that still answers belongs to a running
	 * engine and is refused, as dockerd refuses a second daemon.
	 */
	static UnixSocketConnector prepare(DockerHost.Unix host) {
		Path socket = host.socket();
		try {
			if (Files.exists(socket)) {
				if (answers(socket)) {
					throw new HostRefusedException(socket + " is in use by another process");
				}
				Files.delete(socket);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot prepare " + socket, ex);
		}
		return new UnixSocketConnector(socket);
	}

	@Override
	public void applyTo(Connector connector) {
		// Tomcat binds the path instead of a port, and sets the mode itself right after bind: no window with a wider
		// mode
		connector.setProperty("unixDomainSocketPath", this.socket.toString());
		connector.setProperty("unixDomainSocketPathPermissions", SOCKET_PERMISSIONS);
		connector.setProperty("unixDomainSocketParentPermissions", DIRECTORY_PERMISSIONS);
	}

	@Override
	public String description() {
		return "unix://" + this.socket;
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
