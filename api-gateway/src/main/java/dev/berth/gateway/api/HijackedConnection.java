package dev.berth.gateway.api;

import java.io.IOException;

import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The connection of an attach or exec start after Tomcat sent {@code 101}: its blocking streams carry the process's
 * stdio until the service ends it. Tomcat makes this through its instance manager, which needs a public class with a
 * public constructor; the streams to serve are handed over before {@link #init} runs.
 */
public class HijackedConnection implements HttpUpgradeHandler {

	private static final Log logger = LogFactory.getLog(HijackedConnection.class);

	private HijackedStreams<?, ?> streams;

	public HijackedConnection() {
	}

	void hijackedBy(HijackedStreams<?, ?> streams) {
		this.streams = streams;
	}

	// Runs the whole exchange on Tomcat's (virtual) thread: until it returns Tomcat does not poll the socket itself,
	// so the blocking reads of stdin are the only reader. An upgraded connection has no read or write timeout.
	@Override
	public void init(WebConnection connection) {
		try (connection) {
			this.streams.pump(connection.getInputStream(), connection.getOutputStream());
		}
		catch (Exception ex) {
			logger.debug("closing a hijacked connection failed: " + ex);
		}
	}

	@Override
	public void destroy() {
	}

}
